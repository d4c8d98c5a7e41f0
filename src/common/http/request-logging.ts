import type { NextFunction, Request, Response } from 'express';
import pino, { Logger, TransportSingleOptions } from 'pino';

/** Paths probed every few seconds: logging each request would drown everything else. */
const QUIET_PATHS = /\/v1\/minion\/(health\/|metrics|ping)/;

/** DI token of the root pino logger (AppModule), for the request-logging middleware. */
export const ROOT_LOGGER = 'ROOT_LOGGER';

/**
 * The app's one pino logger: Nest's logs and the request lines go through it. Written to stdout
 * asynchronously: lines logged while a write is in flight go out together in the next one, so
 * under load the log costs a write per batch, not per line, and an idle app's line is written at
 * once. Pending lines are flushed when the process exits.
 */
export function createRootLogger(level: string, transport?: TransportSingleOptions): Logger {
  if (transport) return pino({ level, transport });
  return pino({ level }, pino.destination({ dest: 1, sync: false }));
}

/** What a request's line says about it. Headers are never logged, so no token can be. */
export function requestLine(req: Request, res: Response, startedAt: number) {
  return {
    req: { id: req.requestId, method: req.method, url: req.originalUrl, remoteAddress: req.ip },
    res: { statusCode: res.statusCode },
    responseTime: Date.now() - startedAt,
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Numbered per process, in the request's log line. */
    requestId?: number;
  }
}

/**
 * One line per request when its answer is sent ("request completed"; "request errored" at error
 * level for a 5xx, "request aborted" at warn when the client left first), none for probes. Written
 * with the root logger: no child logger and no async context per request, so the logging costs
 * a few microseconds (bench:api measured pino-http's per-request child logger and
 * AsyncLocalStorage at about a quarter of a GET).
 */
export function requestLogging(logger: Logger) {
  let counter = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (QUIET_PATHS.test(req.url)) return next();
    const startedAt = Date.now();
    req.requestId = ++counter;
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const line = requestLine(req, res, startedAt);
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

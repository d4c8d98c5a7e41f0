import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
export function requestLine(
  req: FastifyRequest,
  id: number,
  statusCode: number,
  startedAt: number,
) {
  return {
    req: { id, method: req.method, url: req.url, remoteAddress: req.ip },
    res: { statusCode },
    responseTime: Date.now() - startedAt,
  };
}

/**
 * One line per request when its answer is sent ("request completed"; "request errored" at error
 * level for a 5xx, "request aborted" at warn when the client left first), none for probes. Written
 * with the root logger: no child logger and no async context per request, so the logging costs
 * a few microseconds (bench:api measured pino-http's per-request child logger and
 * AsyncLocalStorage at about a quarter of a GET). Fastify's own request logging stays off.
 */
export function useRequestLogging(
  fastify: FastifyInstance,
  logger: Logger,
): (req: FastifyRequest, statusCode: number) => void {
  let counter = 0;
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, next: () => void) => {
    if (QUIET_PATHS.test(req.url)) return next();
    const startedAt = Date.now();
    const id = ++counter;
    const res = reply.raw;
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const line = requestLine(req, id, res.statusCode, startedAt);
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  });
  // A request refused before any hook ran (a malformed path): its line, once answered.
  return (req, statusCode) => {
    const line = requestLine(req, ++counter, statusCode, Date.now());
    if (!QUIET_PATHS.test(req.url)) logger.info(line, 'request completed');
  };
}

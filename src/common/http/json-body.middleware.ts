import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from '../filters/domain-exception.filter';

export const BODY_LIMIT = '1mb';

/**
 * JSON body parsing with a 1 MiB limit. Parser failures (too large, malformed) are answered here,
 * as JSON, because they happen before any Nest handler or filter sees the request.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: BODY_LIMIT });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { status?: number; type?: string };
      const status = e.status && e.status >= 400 && e.status < 500 ? e.status : 400;
      const message =
        e.type === 'entity.too.large'
          ? 'request body is larger than 1 MiB'
          : e.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : 'request body cannot be read';
      res.status(status).json(errorBody(status, message));
    });
  };
}

import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from './error-response.dto';

export const BODY_LIMIT = '1mb';
/** Arrays and objects nest at most this deep in a body; a job needs 3. */
export const MAX_BODY_DEPTH = 32;

class TooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
}

/**
 * JSON body parsing, 1 MiB at most, nesting at most 32 deep. As the original, a body is read as
 * JSON whatever its Content-Type (`curl -d` sends form-urlencoded, some clients send none or
 * text/plain). This opens no CSRF hole: every route that takes a body needs the custom
 * X-Auth-Token header, and a browser sends a custom header cross-origin only after a CORS
 * preflight, which a page cannot skip by choosing a "simple" content type.
 *
 * The nesting is checked on the raw bytes before JSON.parse, so no deep structure ever reaches
 * the parser or class-transformer (which recurses). Parser failures are answered here, as JSON,
 * because they happen before any Nest handler or filter sees the request.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({
    limit: BODY_LIMIT,
    type: () => true,
    verify: (_req, _res, buf) => {
      if (nestingDepth(buf) > MAX_BODY_DEPTH) throw new TooDeepError('too deep');
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    // No route reads the body of a GET.
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { status?: number; type?: string };
      // A verify error comes back as 403 from body-parser: too deep is a bad request.
      const status =
        e.type !== 'entity.too.deep' && e.status && e.status >= 400 && e.status < 500
          ? e.status
          : 400;
      res.status(status).json(errorBody(status, message(e)));
    });
  };
}

function message(e: { type?: string }): string {
  switch (e.type) {
    case 'entity.too.large':
      return 'request body is larger than 1 MiB';
    case 'entity.parse.failed':
      return 'request body is not valid JSON';
    case 'entity.too.deep':
      return `request body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`;
    case 'charset.unsupported':
      return 'request body charset is not supported (send UTF-8)';
    default:
      return 'request body cannot be read';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);

/** Deepest nesting of `[` and `{` outside strings: one linear pass over the bytes. */
export function nestingDepth(buf: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPEN.has(c)) {
      if (++depth > max) max = depth;
    } else if (CLOSE.has(c)) {
      depth--;
    }
  }
  return max;
}

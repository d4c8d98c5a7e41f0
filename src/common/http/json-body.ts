import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** 1 MiB, as the Express app's `express.json({ limit: '1mb' })`. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Arrays and objects nest at most this deep in a body; a job needs 3. */
export const MAX_BODY_DEPTH = 32;

const TOO_LARGE = 'request body is larger than 1 MiB';
const NOT_JSON = 'request body is not valid JSON';
/** Whitespace JSON allows before the first token; body-parser's strict mode looks past it. */
const FIRST_TOKEN = /^[ \t\n\r]*(.)/s;

/**
 * JSON body parsing, 1 MiB at most, nesting at most 32 deep. As the original, a body is read as
 * JSON whatever its Content-Type (`curl -d` sends form-urlencoded, some clients send none or
 * text/plain). This opens no CSRF hole: every route that takes a body needs the custom
 * X-Auth-Token header, and a browser sends a custom header cross-origin only after a CORS
 * preflight, which a page cannot skip by choosing a "simple" content type.
 *
 * As Express's JSON parser (strict), a body must be an object or an array, an empty body is
 * `{}`, and a charset other than UTF-8's family is refused (415). The nesting is checked on the
 * raw bytes before JSON.parse, so no deep structure ever reaches the parser or
 * class-transformer (which recurses). Failures are HTTP exceptions, answered by the global
 * filter like any other.
 */
export function useJsonBody(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (
      req: FastifyRequest,
      body: Buffer | string,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      try {
        done(null, parseJsonBody(req.headers['content-type'], body as Buffer));
      } catch (err) {
        done(err as Error);
      }
    },
  );
}

export function parseJsonBody(contentType: string | undefined, buf: Buffer): unknown {
  const text = decode(buf, charsetOf(contentType));
  if (text.length === 0) return {};
  const first = FIRST_TOKEN.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new BadRequestException(NOT_JSON);
  if (nestingDepth(buf) > MAX_BODY_DEPTH) {
    throw new BadRequestException(
      `request body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestException(NOT_JSON);
  }
}

/**
 * The answer to an error Fastify raises itself while reading a body (too large, a length that
 * does not match), which reaches the global filter as a plain error with a `code`.
 */
export function bodyReadError(exception: unknown): HttpException | null {
  const e = exception as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('FST_')) return null;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLargeException(TOO_LARGE);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 400;
  if (status < 400 || status >= 500) return null;
  return new HttpException('request body cannot be read', status);
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1].toLowerCase();
}

function decode(buf: Buffer, charset: string | undefined): string {
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') {
    const text = buf.toString('utf8');
    // A byte order mark is not JSON; Express's decoder dropped it.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  const unsupported = new HttpException('request body charset is not supported (send UTF-8)', 415);
  if (!charset.startsWith('utf-')) throw unsupported;
  try {
    return new TextDecoder(charset).decode(buf);
  } catch {
    throw unsupported;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

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
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) max = depth;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return max;
}

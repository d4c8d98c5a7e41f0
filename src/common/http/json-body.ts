import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

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
 * class-transformer (which recurses). A body sent gzip, deflate or br is inflated first (the
 * limit counts the inflated bytes). Failures are HTTP exceptions, answered by the global filter
 * like any other.
 *
 * Fastify picks a parser by Content-Type and refuses (415) a header it cannot parse, and reads
 * no body of length 0 without one; Express read all of these as JSON (an empty body as `{}`).
 * So every request with a body is labelled JSON before Fastify looks, and the parser reads the
 * charset from the header the client sent.
 */
export function useJsonBody(fastify: FastifyInstance): void {
  const sentType = new WeakMap<FastifyRequest, string | undefined>();
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, next: () => void) => {
    const { headers } = req;
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
      sentType.set(req, headers['content-type']);
      headers['content-type'] = 'application/json';
    }
    next();
  });
  fastify.addHook('preParsing', (req: FastifyRequest, _reply, payload, next) => {
    try {
      next(null, inflated(req.headers['content-encoding'], payload));
    } catch (err) {
      next(err as Error);
    }
  });
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
        done(null, parseJsonBody(sentType.get(req), body as Buffer));
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
 * The answer to an error met while reading a body. Fastify's "body too large" reaches the global
 * filter as an `HttpException(413)` in Fastify's words (Nest maps Fastify's errors so; only a
 * body is ever too large here); a stream's error (a corrupt gzip body, a client gone) as a plain
 * error Fastify gave a 4xx `statusCode`.
 */
export function bodyReadError(exception: unknown): HttpException | null {
  if (exception instanceof HttpException) {
    return exception.getStatus() === 413 ? new PayloadTooLargeException(TOO_LARGE) : null;
  }
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  return status === 413
    ? new PayloadTooLargeException(TOO_LARGE)
    : new HttpException('request body cannot be read', status);
}

/** The body as sent, or inflated by its Content-Encoding (as Express's body-parser did). */
function inflated(encoding: string | string[] | undefined, payload: Readable): Readable {
  const name = (Array.isArray(encoding) ? encoding[0] : (encoding ?? 'identity')).toLowerCase();
  if (name === 'identity') return payload;
  const inflate: Transform | null =
    name === 'gzip'
      ? createGunzip()
      : name === 'deflate'
        ? createInflate()
        : name === 'br'
          ? createBrotliDecompress()
          : null;
  if (!inflate) {
    throw new HttpException(`request body content encoding "${name}" is not supported`, 415);
  }
  // Fastify checks Content-Length against the bytes received, not the inflated ones.
  const counted = inflate as Transform & { receivedEncodedLength: number };
  counted.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (counted.receivedEncodedLength += chunk.length));
  payload.on('error', (err) => inflate.destroy(err));
  inflate.on('error', () => payload.resume());
  return payload.pipe(inflate);
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

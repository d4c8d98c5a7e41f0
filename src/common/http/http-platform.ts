import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BODY_LIMIT_BYTES } from './json-body';
import { errorBody } from './error-response.dto';
import { malformedSegment } from './path-decoding';
import { serveStaticFiles } from './static-files';

/** Node's own default, which Fastify turns off: a client cannot hold a request open for ever. */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * minion's HTTP platform: Nest on Fastify. bench:api measured the same Nest module answering the
 * same bytes at ~170 µs a request on Express 5 and ~40 µs on Fastify (docs/benchmarks.md).
 *
 * The options keep the HTTP surface the Express app had: paths match whatever their case and
 * `/path/` answers as `/path`, a path parameter may be as long as a URL allows (Fastify's default
 * cuts them at 100 characters, and a percent-encoded 255-byte job name is 765), `trust proxy` as
 * configured, a request gets 300 s to arrive, and a path whose percent-encoding is malformed is
 * a 400 naming the parameter. Idle connections are kept 72 s (Fastify's default, where Node's
 * was 5 s): longer than a load balancer's usual 60 s, so the balancer closes them first.
 */
export function createHttpAdapter(
  trustProxy: boolean | number | string,
  prefix: string,
): MinionFastifyAdapter {
  const adapter: MinionFastifyAdapter = new MinionFastifyAdapter({
    trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 8192 },
    // Fastify's router refuses such a path before any route or hook sees the request.
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const name = malformedSegment(req.url, prefix);
      const message =
        error.code === 'FST_ERR_BAD_URL' || name
          ? `${name ?? 'path'}: malformed percent-encoding in the path`
          : 'the request cannot be read';
      // CORS's header (a browser may read the answer) and the log line: no hook adds them here.
      void reply
        .status(400)
        .header('Access-Control-Allow-Origin', '*')
        .send(errorBody(400, message));
      adapter.onRefused?.(req, 400);
    },
  });
  return adapter;
}

/** Nest's Fastify adapter, with static files (Swagger UI's) served without `@fastify/static`. */
export class MinionFastifyAdapter extends FastifyAdapter {
  /** Told of each request answered before any hook ran (the request log). */
  onRefused?: (req: FastifyRequest, statusCode: number) => void;

  override useStaticAssets(options: { root: string; prefix?: string }): this {
    serveStaticFiles(this.getInstance(), options.root, options.prefix ?? '/');
    return this;
  }
}

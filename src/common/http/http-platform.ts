import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BODY_LIMIT_BYTES } from './json-body';
import { errorBody } from './error-response.dto';
import { malformedSegment } from './path-decoding';
import { serveStaticFiles } from './static-files';

/**
 * minion's HTTP platform: Nest on Fastify. bench:api measured the same Nest module answering the
 * same bytes at ~170 µs a request on Express 5 and ~40 µs on Fastify (docs/benchmarks.md).
 *
 * The options keep the HTTP surface the Express app had: `/path/` answers as `/path`, a path
 * parameter may be as long as a URL allows (Fastify's default cuts them at 100 characters, and
 * a percent-encoded 255-byte job name is 765), `trust proxy` as configured, and a path whose
 * percent-encoding is malformed is a 400 naming the parameter.
 */
export function createHttpAdapter(trustProxy: boolean | number | string): FastifyAdapter {
  return new MinionFastifyAdapter({
    trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8192 },
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const name = malformedSegment(req.url);
      const message =
        error.code === 'FST_ERR_BAD_URL' || name
          ? `${name ?? 'path'}: malformed percent-encoding in the path`
          : 'the request cannot be read';
      void reply.status(400).send(errorBody(400, message));
    },
  });
}

/** Nest's Fastify adapter, with static files (Swagger UI's) served without `@fastify/static`. */
class MinionFastifyAdapter extends FastifyAdapter {
  override useStaticAssets(options: { root: string; prefix?: string }): this {
    serveStaticFiles(this.getInstance(), options.root, options.prefix ?? '/');
    return this;
  }
}

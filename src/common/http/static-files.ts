import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { contentTypeOf } from './content-types';

interface StaticFile {
  path: string;
  type: string;
  /** Size and modification time: revalidated with If-None-Match (a 304, not 1.5 MB again). */
  etag: string;
  body?: Buffer;
}

/**
 * `GET {prefix}/*`: the files directly in `root`, as listed once here; each is read on its first
 * request and then answered from memory. What Swagger UI's assets need (swagger-ui-dist, a flat
 * directory), in place of `@fastify/static`, whose current major loads an ES module that Node
 * 20.11 and Jest cannot `require`. A request never reaches the file system with a name from the
 * URL: any name not listed is a 404, and nothing is kept for it.
 */
export function serveStaticFiles(fastify: FastifyInstance, root: string, prefix: string): void {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(root, entry.name);
    const { size, mtimeMs } = statSync(path);
    files.set(entry.name, {
      path,
      type: contentTypeOf(entry.name),
      etag: `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`,
    });
  }
  fastify.get(`${prefix.replace(/\/$/, '')}/*`, (req: FastifyRequest, reply: FastifyReply) => {
    // The router has decoded the name already.
    const file = files.get((req.params as { '*': string })['*']);
    if (!file) return reply.callNotFound();
    void reply
      .header('Content-Type', file.type)
      .header('Cache-Control', 'public, max-age=0')
      .header('ETag', file.etag);
    if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
    file.body ??= readFileSync(file.path);
    return reply.send(file.body);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * `GET {prefix}/*`: the files under `root`, each read once on its first request and then
 * answered from memory. What Swagger UI's assets need (swagger-ui-dist, a dozen files), in
 * place of `@fastify/static`, whose current major loads an ES module that Node 20.11 and Jest
 * cannot `require`. A path that leaves `root` or names no regular file is a 404.
 */
export function serveStaticFiles(fastify: FastifyInstance, root: string, prefix: string): void {
  const base = resolve(root);
  const cache = new Map<string, StaticFile | null>();
  const load = (name: string): StaticFile | null => {
    const path = resolve(base, name);
    if (!path.startsWith(base + sep)) return null;
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return null;
    return { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream' };
  };
  const path = `${prefix.replace(/\/$/, '')}/*`;
  fastify.get(path, (req: FastifyRequest, reply: FastifyReply) => {
    const name = decodeURIComponent((req.params as { '*': string })['*']);
    if (!cache.has(name)) cache.set(name, load(name));
    const file = cache.get(name);
    if (!file) return reply.callNotFound();
    return reply
      .header('Content-Type', file.type)
      .header('Cache-Control', 'public, max-age=0')
      .send(file.body);
  });
}

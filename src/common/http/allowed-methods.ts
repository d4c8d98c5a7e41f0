import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * The methods the app's routes answer on a path, from the routes Fastify registers: what a 405
 * answer lists in `Allow` (a wrong method on a known path is 405, as gorilla/mux answered the
 * original's clients, not 404). Create it before the routes are registered (configureApp).
 */
export class AllowedMethods {
  private readonly routes: { pattern: RegExp; methods: string[] }[] = [];

  constructor(fastify: FastifyInstance) {
    fastify.addHook('onRoute', (route: RouteOptions) => {
      // Wildcards are static files and CORS's preflight: not endpoints a method is wrong for.
      if (route.url.includes('*')) return;
      // HEAD is Fastify's own twin of each GET: listed after the route's methods, below.
      const methods = ([] as string[])
        .concat(route.method)
        .map((m) => m.toUpperCase())
        .filter((m) => m !== 'HEAD');
      if (methods.length === 0) return;
      this.routes.push({ pattern: toPattern(route.url), methods });
    });
  }

  /** Empty when no route has this path. */
  for(path: string): string[] {
    const found = new Set<string>();
    for (const { pattern, methods } of this.routes) {
      if (pattern.test(path)) methods.forEach((m) => found.add(m));
    }
    if (found.size === 0) return [];
    if (found.has('GET')) found.add('HEAD');
    found.add('OPTIONS');
    return [...found];
  }
}

/**
 * `/v1/minion/:account/jobs` -> a regex where each `:param` is one path segment, matching
 * whatever the case, as the router does.
 */
function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

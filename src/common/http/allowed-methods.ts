/** A "route" answering this many methods or more is middleware mounted with app.all(). */
const MIDDLEWARE_METHODS = 10;

interface RouteLayer {
  route?: { path?: unknown; methods?: Record<string, boolean> };
}

interface ExpressLike {
  router?: { stack?: RouteLayer[] };
}

/**
 * The methods the app's routes answer on `path`, from Express's own route table: what a 405
 * answer lists in `Allow` (a wrong method on a known path is 405, as gorilla/mux answered the
 * original's clients, not 404). Empty when no route has this path.
 */
export class AllowedMethods {
  private table?: { pattern: RegExp; methods: string[] }[];

  constructor(private readonly express: ExpressLike) {}

  for(path: string): string[] {
    const found = new Set<string>();
    for (const { pattern, methods } of this.routes()) {
      if (pattern.test(path)) methods.forEach((m) => found.add(m));
    }
    if (found.size === 0) return [];
    if (found.has('GET')) found.add('HEAD');
    found.add('OPTIONS');
    return [...found];
  }

  /** Built on first use: routes are registered when the app initializes, after setup. */
  private routes(): { pattern: RegExp; methods: string[] }[] {
    this.table ??= (this.express.router?.stack ?? [])
      // Nest mounts middleware as routes for every method: those are not endpoints.
      .filter(
        (layer) =>
          typeof layer.route?.path === 'string' &&
          Object.keys(layer.route.methods ?? {}).length < MIDDLEWARE_METHODS,
      )
      .map((layer) => ({
        pattern: toPattern(layer.route?.path as string),
        methods: Object.keys(layer.route?.methods ?? {})
          .filter((m) => m !== '_all')
          .map((m) => m.toUpperCase()),
      }));
    return this.table;
  }
}

/** `/v1/minion/:account/jobs` -> a regex where each `:param` is one path segment. */
function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

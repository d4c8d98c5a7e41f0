import type { FastifyRequest as Request } from 'fastify';
import { Actor } from './audit-entry';

/** Who made the request: the key AuthGuard resolved, and the client address (see trustProxy). */
export function actorOf(req: Request): Actor {
  return {
    key: req.apiKey?.name ?? '',
    client: req.ip ?? req.socket?.remoteAddress ?? '',
    ...(req.apiKey ? { scope: req.apiKey } : {}),
  };
}

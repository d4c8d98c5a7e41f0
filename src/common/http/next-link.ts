import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Announces the next page of a listing in `Link: <path?query>; rel="next"` (RFC 8288), so the
 * body can stay a bare array. `query` holds every parameter the next request must repeat (the
 * page size, the filters) and where the next page starts; undefined values are left out.
 */
export function setNextLink(
  req: FastifyRequest,
  res: FastifyReply,
  query: Record<string, string | number | undefined>,
): void {
  const params = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  void res.header('Link', `<${req.url.split('?')[0]}?${params}>; rel="next"`);
}

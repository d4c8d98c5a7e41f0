import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { setNextLink } from '../common/http/next-link';
import { filterOf, ListQuery } from './dto/list-query.dto';
import { isEmptyFilter, Page } from './job-filter';

/** The `Link` header of the list routes, for the OpenAPI document. */
export const NEXT_LINK = {
  Link: {
    description:
      'With `limit`, when more entries follow: `</v1/minion/...?limit=N&start_after=...>; rel="next"` (RFC 8288)',
    schema: { type: 'string' as const },
  },
};

/** No paging and no filter: every entry. */
export function wholeListing(query: ListQuery): boolean {
  return (
    query.limit === undefined && query.start_after === undefined && isEmptyFilter(filterOf(query))
  );
}

export function pageOf(query: ListQuery) {
  return { limit: query.limit, startAfter: query.start_after };
}

/** The body stays the original's bare array; the next page is announced in `Link` (RFC 8288). */
export function withNextLink(page: Page, query: ListQuery, req: Request, res: Response): string[] {
  if (page.more && query.limit !== undefined) {
    const { limit, enabled, runner, tag, name } = query;
    // The filters go on, so the next page is of the same listing.
    const startAfter = page.items[page.items.length - 1];
    setNextLink(req, res, { limit, start_after: startAfter, enabled, runner, tag, name });
  }
  return page.items;
}

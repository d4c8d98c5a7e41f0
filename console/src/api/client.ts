import createClient from 'openapi-fetch';
import type { components, paths } from '../../../test/client/minion-api';

export type Schemas = components['schemas'];
export type Job = Schemas['Job'];
export type JobResponse = Schemas['JobResponse'];
export type WhoAmI = Schemas['WhoAmI'];
export type Access = WhoAmI['access'];
export type RunRecord = Schemas['RunRecord'];
export type AuditEntry = Schemas['AuditEntry'];
export type Occurrence = Schemas['ScheduledOccurrence'];
export type JobSummary = Schemas['JobSummary'];
export type Calendar = Schemas['StoredCalendar'];

/** The client every view calls the API through: typed by the committed openapi.json. */
export type Api = ReturnType<typeof createClient<paths>>;

/** An API answer that is not 2xx: its status and the server's message (which names the field). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A client sending the key in `X-Auth-Token` on every call (never in a URL). */
export function apiClient(key: string): Api {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use({
    onRequest({ request }) {
      request.headers.set('X-Auth-Token', key);
      return request;
    },
  });
  return client;
}

/** The server's message of an answer that is not 2xx (it names the field), or its status. */
export function messageOf(result: { error?: unknown; response: Response }): string {
  let error = result.error as { message?: unknown } | string | undefined;
  if (typeof error === 'string') {
    try {
      error = JSON.parse(error) as { message?: unknown };
    } catch {
      return error as string;
    }
  }
  return typeof error === 'object' && typeof error?.message === 'string'
    ? error.message
    : `${result.response.status} ${result.response.statusText}`;
}

/** The data of an answer, or an ApiError with the server's message. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new ApiError(result.response.status, messageOf(result));
}

/** `start_after` of the `Link: <...>; rel="next"` header, if the answer has one. */
export function nextStartAfter(response: Response): string | undefined {
  const link = response.headers.get('Link');
  const m = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
  return m
    ? (new URL(m[1], window.location.origin).searchParams.get('start_after') ?? undefined)
    : undefined;
}

const RANK: Record<Access, number> = { read: 0, run: 1, write: 2 };

/** Whether the key's access level reaches `needed` (the server checks again). */
export function may(who: WhoAmI, needed: Access): boolean {
  return RANK[who.access] >= RANK[needed];
}

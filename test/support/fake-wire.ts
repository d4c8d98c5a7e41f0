/**
 * Wire-format helpers shared by the fake AWS services: the query protocol's indexed lists and
 * filters as the AWS SDK v3 serializes them, XML escaping, opaque page tokens, and the error
 * bodies each protocol answers with.
 */

export type Reply = { status?: number; body: string; contentType?: string };

/** The account and region in every ARN the fake makes up (the STS fake's account too). */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
export const ASG_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

/** Escapes text for an XML element. */
export function xml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A query-protocol list in index order: `indexed(p, 'InstanceId')` reads `InstanceId.1`, `.2`... */
export function indexed(params: Record<string, string>, prefix: string): string[] {
  const re = new RegExp(`^${escapeRe(prefix)}\\.(\\d+)$`);
  return Object.entries(params)
    .flatMap(([k, v]) => {
      const m = re.exec(k);
      return m ? [[Number(m[1]), v] as const] : [];
    })
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);
}

export interface QueryFilter {
  name: string;
  values: string[];
}

/**
 * Filters as the SDK encodes them, by service: EC2 `Filter.N.Name` / `Filter.N.Value.M`
 * (`'Filter', 'Value'`), RDS `Filters.Filter.N.Name` / `Filters.Filter.N.Values.Value.M`
 * (`'Filters.Filter', 'Values.Value'`), Auto Scaling `Filters.member.N.Name` /
 * `Filters.member.N.Values.member.M` (`'Filters.member', 'Values.member'`).
 */
export function queryFilters(
  params: Record<string, string>,
  prefix: string,
  valuesPrefix: string,
): QueryFilter[] {
  const re = new RegExp(`^${escapeRe(prefix)}\\.(\\d+)\\.Name$`);
  return Object.keys(params)
    .flatMap((k) => {
      const m = re.exec(k);
      return m ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b)
    .map((n) => ({
      name: params[`${prefix}.${n}.Name`],
      values: indexed(params, `${prefix}.${n}.${valuesPrefix}`),
    }));
}

/** An EC2 filter value as a pattern: `*` any run of characters, `?` one, `\` escapes. */
export function wildcard(value: string): RegExp {
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) re += escapeRe(value[++i]);
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

/**
 * One page of `items` from the position an opaque token names (the start without one), and the
 * token of the next page when there is one; `undefined` for a token this fake did not issue.
 */
export function page<T>(
  items: T[],
  token: string | undefined,
  size: number,
  scope: string,
): { items: T[]; next?: string } | undefined {
  let from = 0;
  if (token) {
    try {
      const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
        s?: string;
        o?: number;
      };
      if (t.s !== scope || !Number.isInteger(t.o) || (t.o as number) < 0) return undefined;
      from = t.o as number;
    } catch {
      return undefined;
    }
  }
  const end = from + size;
  const next =
    end < items.length
      ? Buffer.from(JSON.stringify({ s: scope, o: end, v: 1 })).toString('base64')
      : undefined;
  return { items: items.slice(from, end), next };
}

/** The HTTP status AWS answers an error code with (most are the caller's fault: 400). */
export function statusOf(code: string): number {
  const statuses: Record<string, number> = {
    InsufficientInstanceCapacity: 500,
    InsufficientCapacity: 500,
    InternalError: 500,
    InternalFailure: 500,
    ServerException: 500,
    Unavailable: 503,
    ServiceUnavailable: 503,
    RequestLimitExceeded: 503,
    UnauthorizedOperation: 403,
    AccessDenied: 403,
    AccessDeniedException: 400,
    DBInstanceNotFound: 404,
    DBClusterNotFoundFault: 404,
  };
  return statuses[code] ?? 400;
}

/** An EC2-style error answer. */
export function ec2Error(code: string, status: number, message = `${code} from fake AWS`): Reply {
  return {
    status,
    body: `<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>{{requestId}}</RequestID></Response>`,
  };
}

/** An error of the other query-protocol services (RDS, Auto Scaling, STS). */
export function queryError(ns: string, code: string, status: number, message: string): Reply {
  return {
    status,
    body:
      `<ErrorResponse xmlns="${ns}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${code}</Code><Message>${xml(message)}</Message></Error>` +
      `<RequestId>{{requestId}}</RequestId></ErrorResponse>`,
  };
}

/** A JSON 1.1 protocol error (ECS, the tagging API). */
export function jsonError(type: string, message: string, status = statusOf(type)): Reply {
  return { status, body: JSON.stringify({ __type: type, message }) };
}

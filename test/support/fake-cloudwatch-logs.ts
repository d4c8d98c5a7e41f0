import type { RecordedRequest } from './fake-aws';

interface FakeGroup {
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  streams: Map<string, { timestamp: number; message: string }[]>;
}

/** Just enough of CloudWatch Logs' JSON API (Logs_20140328) to hold minion's run history. */
export class FakeCloudWatchLogs {
  readonly groups = new Map<string, FakeGroup>();

  handle(r: RecordedRequest): { status?: number; body: string } {
    const j = (r.json ?? {}) as Record<string, unknown> & {
      logGroupName: string;
      logStreamName: string;
    };
    const group = this.groups.get(j.logGroupName);
    const error = (type: string, status = 400) => ({
      status,
      body: JSON.stringify({ __type: type, message: type }),
    });
    switch (r.action) {
      case 'CreateLogGroup':
        if (group) return error('ResourceAlreadyExistsException');
        this.groups.set(j.logGroupName, {
          creationTime: Date.now(),
          tags: (j.tags as Record<string, string>) ?? {},
          streams: new Map(),
        });
        return { body: '' };
      case 'PutRetentionPolicy':
        if (!group) return error('ResourceNotFoundException');
        group.retentionInDays = j.retentionInDays as number;
        return { body: '' };
      case 'TagLogGroup':
        if (!group) return error('ResourceNotFoundException');
        Object.assign(group.tags, j.tags);
        return { body: '' };
      case 'ListTagsLogGroup':
        if (!group) return error('ResourceNotFoundException');
        return { body: JSON.stringify({ tags: group.tags }) };
      case 'CreateLogStream':
        if (!group) return error('ResourceNotFoundException');
        if (group.streams.has(j.logStreamName)) return error('ResourceAlreadyExistsException');
        group.streams.set(j.logStreamName, []);
        return { body: '' };
      case 'PutLogEvents': {
        const stream = group?.streams.get(j.logStreamName);
        if (!stream) return error('ResourceNotFoundException');
        stream.push(...(j.logEvents as { timestamp: number; message: string }[]));
        return { body: JSON.stringify({}) };
      }
      case 'GetLogEvents': {
        // Pages backwards as CloudWatch does: the backward token marks where the page began.
        const stream = group?.streams.get(j.logStreamName);
        if (!stream) return error('ResourceNotFoundException');
        const token = j.nextToken as string | undefined;
        const end = token ? Number(token.slice(2)) : stream.length;
        const start = Math.max(0, end - ((j.limit as number) ?? 10_000));
        return {
          body: JSON.stringify({
            events: stream.slice(start, end),
            nextBackwardToken: `b/${start}`,
            nextForwardToken: `f/${end}`,
          }),
        };
      }
      case 'FilterLogEvents':
        if (!group) return error('ResourceNotFoundException');
        return { body: JSON.stringify(filterEvents(group, j)) };
      case 'DescribeLogGroups': {
        const prefix = (j.logGroupNamePrefix as string) ?? '';
        const logGroups = [...this.groups.entries()]
          .filter(([name]) => name.startsWith(prefix))
          .map(([logGroupName, g]) => ({
            logGroupName,
            creationTime: g.creationTime,
            retentionInDays: g.retentionInDays,
            storedBytes: 0,
          }));
        return { body: JSON.stringify({ logGroups }) };
      }
      case 'DescribeLogStreams':
        if (!group) return error('ResourceNotFoundException');
        return {
          body: JSON.stringify({
            logStreams: [...group.streams.keys()].map((logStreamName) => ({ logStreamName })),
          }),
        };
      case 'DeleteLogStream':
        if (!group?.streams.delete(j.logStreamName)) return error('ResourceNotFoundException');
        return { body: '' };
      case 'DeleteLogGroup':
        if (!this.groups.delete(j.logGroupName)) return error('ResourceNotFoundException');
        return { body: '' };
      default:
        return error('UnknownOperationException');
    }
  }
}

/**
 * FilterLogEvents over the named streams (all when none), oldest first: `startTime`, a JSON
 * filter pattern of `$.field = "value"` terms joined by `&&`, `limit`, and an index as next token.
 */
function filterEvents(group: FakeGroup, j: Record<string, unknown>) {
  const names = (j.logStreamNames as string[] | undefined) ?? [...group.streams.keys()];
  const terms = [
    ...String(j.filterPattern ?? '').matchAll(/\$\.(\w+)\s*=\s*("(?:[^"\\]|\\.)*")/g),
  ].map(([, field, value]) => [field, JSON.parse(value) as string] as const);
  const all = names.flatMap((name) =>
    (group.streams.get(name) ?? []).map((e, i) => ({
      ...e,
      logStreamName: name,
      eventId: `${name}-${i}`,
    })),
  );
  const matching = all.filter((e) => {
    if (j.startTime !== undefined && e.timestamp < (j.startTime as number)) return false;
    if (terms.length === 0) return true;
    const doc = JSON.parse(e.message) as Record<string, unknown>;
    return terms.every(([field, value]) => doc[field] === value);
  });
  const from = j.nextToken ? Number(j.nextToken) : 0;
  const limit = (j.limit as number | undefined) ?? 10_000;
  const events = matching.slice(from, from + limit);
  const next = from + limit < matching.length ? String(from + limit) : undefined;
  return { events, ...(next ? { nextToken: next } : {}) };
}

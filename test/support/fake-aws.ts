import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeResources } from './fake-aws-resources';

export interface RecordedRequest {
  service: 'ec2' | 'rds' | 'ecs' | 'sts' | 'logs' | 'autoscaling' | 'unknown';
  action: string;
  params: Record<string, string>;
  json: Record<string, unknown> | null;
  headers: IncomingMessage['headers'];
}

type Reply = { status?: number; body: string; contentType?: string };
type Handler = (req: RecordedRequest) => Reply;

const QUERY_VERSIONS: Record<string, RecordedRequest['service']> = {
  '2016-11-15': 'ec2',
  '2014-10-31': 'rds',
  '2011-06-15': 'sts',
  '2011-01-01': 'autoscaling',
};

/**
 * A local stand-in for the AWS APIs the runners call, speaking their real wire protocols: EC2,
 * RDS, Auto Scaling and STS query (form-encoded in, XML out), ECS JSON 1.1 (X-Amz-Target). Tests point the SDK
 * at it with AWS_ENDPOINT_URL_<SERVICE> and read back every request it received.
 */
export class FakeAws {
  readonly requests: RecordedRequest[] = [];
  /** CloudWatch Logs state: what minion has stored there. */
  readonly logs = new FakeCloudWatchLogs();
  /** EC2, RDS, ECS and Auto Scaling resources, whose state the actions change. */
  readonly resources = new FakeResources();
  private readonly handlers = new Map<string, Handler>();
  private server?: Server;
  private counter = 0;
  /** Each answer waits this long (network and service time, for benchmarks). */
  latencyMs = 0;
  /** PutLogEvents beyond this many in one second are refused with ThrottlingException. */
  putLogEventsPerSecond = Infinity;
  /** Requests refused by that limit. */
  throttled = 0;
  private putWindow = { second: 0, count: 0 };
  /** With `recordRequests` false, requests are only counted (benchmarks send 10k and more). */
  recordRequests = true;
  readonly counts = new Map<string, number>();

  /** Forgets recorded requests, overridden answers and the resources' states. */
  reset(): void {
    this.requests.length = 0;
    this.resources.reset();
    this.handlers.clear();
    this.logs.groups.clear();
  }

  /** Overrides the answer to one action (`ec2:StartInstances`, `ecs:RunTask`, ...). */
  on(key: string, handler: Handler): void {
    this.handlers.set(key, handler);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Sets AWS_ENDPOINT_URL_<SERVICE> for every service to this server; returns a restore function. */
  static pointSdkAt(url: string, extra: Record<string, string> = {}): () => void {
    const vars: Record<string, string> = {
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ENDPOINT_URL_RDS: url,
      AWS_ENDPOINT_URL_ECS: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_AUTO_SCALING: url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
      AWS_ACCESS_KEY_ID: 'AKIAWIRETEST0000',
      AWS_SECRET_ACCESS_KEY: 'wire-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    };
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    return () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
  }

  private overQuota(name: string): boolean {
    if (name !== 'logs:PutLogEvents' || this.putLogEventsPerSecond === Infinity) return false;
    const second = Math.floor(Date.now() / 1000);
    if (this.putWindow.second !== second) this.putWindow = { second, count: 0 };
    if (++this.putWindow.count <= this.putLogEventsPerSecond) return false;
    this.throttled++;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    let recorded: RecordedRequest;
    if (typeof target === 'string') {
      recorded = {
        service: target.startsWith('Logs_') ? 'logs' : 'ecs',
        action: target.split('.').pop() ?? '',
        params: {},
        json: JSON.parse(body || '{}'),
        headers: req.headers,
      };
    } else {
      const params = Object.fromEntries(new URLSearchParams(body));
      recorded = {
        service: QUERY_VERSIONS[params.Version] ?? 'unknown',
        action: params.Action ?? '',
        params,
        json: null,
        headers: req.headers,
      };
    }
    if (this.recordRequests) this.requests.push(recorded);
    const name = `${recorded.service}:${recorded.action}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    const requestId = `req-${recorded.service}-${++this.counter}`;
    const fallback: Handler =
      recorded.service === 'logs'
        ? (r: RecordedRequest) => this.logs.handle(r)
        : (r: RecordedRequest) => this.resources.reply(r) ?? defaultReply(r);
    const reply = this.overQuota(name)
      ? {
          status: 400,
          body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
        }
      : (this.handlers.get(name) ?? fallback)(recorded);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const isJson = recorded.service === 'ecs' || recorded.service === 'logs';
    res.writeHead(reply.status ?? 200, {
      'content-type': reply.contentType ?? (isJson ? 'application/x-amz-json-1.1' : 'text/xml'),
      'x-amzn-requestid': requestId,
    });
    res.end(reply.body.replace(/\{\{requestId\}\}/g, requestId));
  }
}

/** Stateless answers (the stateful resources are FakeResources'): dry runs, reboot, STS, errors. */
function defaultReply(r: RecordedRequest): Reply {
  // EC2 answers a permitted dry run with this error (HTTP 412).
  if (r.service === 'ec2' && r.params.DryRun === 'true') {
    return {
      status: 412,
      body:
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>DryRunOperation</Code>' +
        '<Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors>' +
        '<RequestID>{{requestId}}</RequestID></Response>',
    };
  }
  switch (`${r.service}:${r.action}`) {
    case 'autoscaling:UpdateAutoScalingGroup':
    case 'autoscaling:SuspendProcesses':
    case 'autoscaling:ResumeProcesses':
      return {
        body:
          `<${r.action}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">` +
          `<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></${r.action}Response>`,
      };
    case 'ec2:RebootInstances':
      return {
        body: `<RebootInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>{{requestId}}</requestId><return>true</return></RebootInstancesResponse>`,
      };
    case 'sts:AssumeRole':
      return {
        body:
          '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
          '<AccessKeyId>ASIAWIREASSUMED00</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>' +
          '<SessionToken>assumed-session-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
          `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/minion/${r.params.RoleSessionName}</Arn>` +
          '<AssumedRoleId>AROAEXAMPLE:minion</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>' +
          '<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></AssumeRoleResponse>',
      };
    default:
      return {
        status: 400,
        body: `<Response><Errors><Error><Code>InvalidAction</Code><Message>fake AWS has no ${r.service}:${r.action}</Message></Error></Errors><RequestID>{{requestId}}</RequestID></Response>`,
      };
  }
}

/** An EC2-style error answer. */
export function ec2Error(code: string, status: number, message = `${code} from fake AWS`): Reply {
  return {
    status,
    body: `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>{{requestId}}</RequestID></Response>`,
  };
}

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

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeResources } from './fake-aws-resources';
import { FakeCloudWatchLogs } from './fake-cloudwatch-logs';
import { RateBuckets } from './fake-rate-limits';
import { ec2Error, jsonError, Reply } from './fake-wire';

export { ec2Error } from './fake-wire';
export { FakeCloudWatchLogs } from './fake-cloudwatch-logs';

export interface RecordedRequest {
  service: 'ec2' | 'rds' | 'ecs' | 'sts' | 'logs' | 'autoscaling' | 'tagging' | 'unknown';
  action: string;
  params: Record<string, string>;
  json: Record<string, unknown> | null;
  headers: IncomingMessage['headers'];
}

type Handler = (req: RecordedRequest) => Reply;

const QUERY_VERSIONS: Record<string, RecordedRequest['service']> = {
  '2016-11-15': 'ec2',
  '2014-10-31': 'rds',
  '2011-06-15': 'sts',
  '2011-01-01': 'autoscaling',
};

/** JSON 1.1 services by the prefix of their X-Amz-Target (any other target is taken for ECS). */
const JSON_TARGETS: [string, RecordedRequest['service']][] = [
  ['Logs_', 'logs'],
  ['ResourceGroupsTaggingAPI_20170126.', 'tagging'],
];
const JSON_SERVICES = new Set<RecordedRequest['service']>(['ecs', 'logs', 'tagging']);

/**
 * A local stand-in for the AWS APIs the runners call, speaking their real wire protocols: EC2,
 * RDS, Auto Scaling and STS query (form-encoded in, XML out), ECS, CloudWatch Logs and the
 * Resource Groups Tagging API JSON 1.1 (X-Amz-Target). Tests point the SDK at it with
 * AWS_ENDPOINT_URL_<SERVICE> and read back every request it received.
 */
export class FakeAws {
  readonly requests: RecordedRequest[] = [];
  /** CloudWatch Logs state: what minion has stored there. */
  readonly logs = new FakeCloudWatchLogs();
  /** EC2, RDS, ECS and Auto Scaling resources (tagged for fleets), whose state actions change. */
  readonly resources = new FakeResources();
  private readonly handlers = new Map<string, Handler>();
  private server?: Server;
  private counter = 0;
  /** Each answer waits this long (network and service time, for benchmarks). */
  latencyMs = 0;
  /** PutLogEvents beyond this many in one second are refused with ThrottlingException. */
  putLogEventsPerSecond = Infinity;
  /**
   * EC2's request-rate buckets (`rateBuckets`, see EC2_THROTTLING): beyond them EC2 calls are
   * answered RequestLimitExceeded (HTTP 503). Off by default; `reset` turns it off.
   */
  rateLimits = false;
  readonly rateBuckets = new RateBuckets();
  /** Requests refused by those limits (PutLogEvents' and EC2's buckets). */
  throttled = 0;
  private putWindow = { second: 0, count: 0 };
  /** With `recordRequests` false, requests are only counted (benchmarks send 10k and more). */
  recordRequests = true;
  readonly counts = new Map<string, number>();
  /**
   * Awaited before a request is counted and answered: the fault suite holds one replica's
   * requests with it (a request stays in flight while that replica is frozen). `reset` clears it.
   */
  gate?: (req: RecordedRequest) => Promise<void>;

  /** Forgets recorded requests, overridden answers, the resources' states and rate limits. */
  reset(): void {
    this.requests.length = 0;
    this.counts.clear();
    this.throttled = 0;
    this.resources.reset();
    this.rateLimits = false;
    this.rateBuckets.reset();
    this.handlers.clear();
    this.logs.groups.clear();
    this.gate = undefined;
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
      // The SDK reads AWS_ENDPOINT_URL_ + the serviceId's words upper-cased, joined by `_`.
      AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: url,
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

  /** The throttling answer a request meets, if any: PutLogEvents' quota, EC2's buckets. */
  private throttle(r: RecordedRequest): Reply | undefined {
    if (this.rateLimits && !this.rateBuckets.admit(r)) {
      this.throttled++;
      return ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.');
    }
    if (r.service !== 'logs' || r.action !== 'PutLogEvents') return undefined;
    if (this.putLogEventsPerSecond === Infinity) return undefined;
    const second = Math.floor(Date.now() / 1000);
    if (this.putWindow.second !== second) this.putWindow = { second, count: 0 };
    if (++this.putWindow.count <= this.putLogEventsPerSecond) return undefined;
    this.throttled++;
    return jsonError('ThrottlingException', 'Rate exceeded', 400);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    let recorded: RecordedRequest;
    if (typeof target === 'string') {
      recorded = {
        service: JSON_TARGETS.find(([prefix]) => target.startsWith(prefix))?.[1] ?? 'ecs',
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
    if (this.gate) await this.gate(recorded);
    if (this.recordRequests) this.requests.push(recorded);
    const name = `${recorded.service}:${recorded.action}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    const requestId = `req-${recorded.service}-${++this.counter}`;
    const fallback: Handler =
      recorded.service === 'logs'
        ? (r: RecordedRequest) => this.logs.handle(r)
        : (r: RecordedRequest) => this.resources.reply(r) ?? defaultReply(r);
    const reply = this.throttle(recorded) ?? (this.handlers.get(name) ?? fallback)(recorded);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const isJson = JSON_SERVICES.has(recorded.service);
    res.writeHead(reply.status ?? 200, {
      'content-type': reply.contentType ?? (isJson ? 'application/x-amz-json-1.1' : 'text/xml'),
      'x-amzn-requestid': requestId,
    });
    res.end(reply.body.replace(/\{\{requestId\}\}/g, requestId));
  }
}

/** Stateless answers (the stateful resources are FakeResources'): dry runs, STS, errors. */
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

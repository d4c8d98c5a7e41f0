/**
 * npm run bench:fleet
 *
 * One occurrence over BENCH_INSTANCES (default 1,000) tagged EC2 instances, through the built app
 * started as a user starts it, against the fake AWS endpoint in its own process applying EC2's
 * published request-rate buckets and BENCH_LATENCY_MS (default 20) per call. Measured: the EC2
 * calls it makes (by action), calls refused by throttling, resources failed, the time from the
 * run request to the last resource's outcome, and the app's RSS after each of BENCH_OCCURRENCES
 * (default 4) occurrences (stop, start, stop, start: memory should stay flat).
 *
 * The reference, in the same run: the same instances as one job each (the way minion worked
 * before fleets: BENCH_INSTANCES jobs naming `instance_id`), all run at once. BENCH_REFERENCE=0
 * leaves it out.
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG } from './support/seed-jobs';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const OCCURRENCES = Number(process.env.BENCH_OCCURRENCES ?? 4);
const REFERENCE = process.env.BENCH_REFERENCE !== '0';
const HEADERS = { 'X-Auth-Token': BENCH_CONFIG.token, 'Content-Type': 'application/json' };

interface Stats {
  counts: { [action: string]: number };
  throttled: number;
}

class FakeAwsProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<FakeAwsProcess> {
    const child = fork(resolve(__dirname, 'support', 'fake-aws-process.js'), [], {
      env: {
        ...process.env,
        FAKE_AWS_LATENCY_MS: String(LATENCY_MS),
        FAKE_AWS_RATE_LIMITS: '1',
        FAKE_AWS_SETTLE_AFTER: '2',
      },
    });
    const { url } = await new Promise<{ url: string }>((r) =>
      child.once('message', (m) => r(m as { url: string })),
    );
    return new FakeAwsProcess(url, child);
  }

  ask<T>(message: unknown): Promise<T> {
    const reply = new Promise<T>((r) => this.child.once('message', (m) => r(m as T)));
    this.child.send(message as object);
    return reply;
  }

  stop(): void {
    this.child.kill();
  }
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function api<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T;
}

interface RunRecordView {
  status: string;
  attempt: number;
  will_retry?: boolean;
  error?: string;
  finished_at: string;
  fleet?: { matched: number; reached: number; missed: number; skipped: number };
  resources?: { result: string; reached_at?: string }[];
  outcome?: { result: string; reached_at?: string };
}

async function startApp(aws: FakeAwsProcess) {
  const app = await startRealApp(
    {
      token: BENCH_CONFIG.token,
      accounts: { bench: { runners: ['instanceRunner'], region: 'us-east-1' } },
      jobRunners: {
        instanceRunner: {
          type: 'instance',
          config: { waitTimeout: '10m', waitPollMin: '1s', waitPollMax: '2s', maxResources: 5000 },
        },
      },
      scheduler: { drainDelay: '0s', concurrency: 16 },
    },
    {
      env: {
        AWS_ENDPOINT_URL_EC2: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIABENCH0000000',
        AWS_SECRET_ACCESS_KEY: 'bench-secret',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  await whenReady(app);
  return app;
}

const diff = (a: Stats, b: Stats) => {
  const out: { [k: string]: number } = {};
  for (const [k, v] of Object.entries(b.counts)) {
    if (k.startsWith('ec2:') && v - (a.counts[k] ?? 0) > 0) out[k] = v - (a.counts[k] ?? 0);
  }
  return { calls: out, throttled: b.throttled - a.throttled };
};

async function fleet(): Promise<void> {
  const aws = await FakeAwsProcess.start();
  await aws.ask({ addInstances: { count: INSTANCES, tags: { Schedule: 'office-hours' } } });
  const app = await startApp(aws);
  try {
    const base = `${app.url}/bench/jobs/office`;
    for (let n = 1; n <= OCCURRENCES; n++) {
      const action = n % 2 === 1 ? 'stop' : 'start';
      const created = await api<{ job: { id: string } }>(base, 'POST', {
        job: {
          name: `${action}-office-hours`,
          schedule_expression: '0 0 1 1 *',
          enabled: true,
          details: {
            runner: 'instanceRunner',
            instance_action: action,
            tag_selector: 'Schedule=office-hours',
          },
        },
      });
      const before = await aws.ask<Stats>('stats');
      const started = Date.now();
      await api(`${base}/${created.job.id}`, 'PATCH');
      // Every attempt's record, until one will not be retried.
      let record: RunRecordView | undefined;
      let attempts = 0;
      while (!record || record.will_retry) {
        await new Promise((r) => setTimeout(r, 500));
        [record] = await api<RunRecordView[]>(`${base}/${created.job.id}/runs?limit=1`, 'GET');
        if (record && record.attempt > attempts) {
          attempts = record.attempt;
          if (record.status !== 'succeeded') {
            console.log(
              `  attempt ${record.attempt}: ${record.status} after ${Date.now() - started} ms, ` +
                `${JSON.stringify(record.fleet)}; ${(record.error ?? '').slice(0, 200)}`,
            );
          }
        }
      }
      const after = await aws.ask<Stats>('stats');
      const last = Math.max(
        ...(record.resources ?? []).map((r) => Date.parse(r.reached_at ?? '') || 0),
      );
      const { calls, throttled } = diff(before, after);
      const acting = (calls['ec2:StopInstances'] ?? 0) + (calls['ec2:StartInstances'] ?? 0);
      console.log(
        `fleet occurrence ${n} (${action}): ${record.status} (attempt ${record.attempt}), ${record.fleet?.reached}/${record.fleet?.matched} reached, ` +
          `${record.fleet?.missed} missed; EC2 calls ${JSON.stringify(calls)} (${acting} acting), ` +
          `${throttled} throttled answers; last outcome ${last - started} ms after the request; ` +
          `app RSS ${rssMb(app.pid).toFixed(0)} MB`,
      );
    }
  } finally {
    await app.stop();
    aws.stop();
  }
}

async function reference(): Promise<void> {
  const aws = await FakeAwsProcess.start();
  const { ids } = await aws.ask<{ ids: string[] }>({
    addInstances: { count: INSTANCES, tags: { Schedule: 'office-hours' } },
  });
  const app = await startApp(aws);
  try {
    const base = `${app.url}/bench/jobs/single`;
    const jobs: string[] = [];
    for (const id of ids) {
      const created = await api<{ job: { id: string } }>(base, 'POST', {
        job: {
          name: `stop-${id}`,
          schedule_expression: '0 0 1 1 *',
          enabled: true,
          details: { runner: 'instanceRunner', instance_action: 'stop', instance_id: id },
        },
      });
      jobs.push(created.job.id);
    }
    const before = await aws.ask<Stats>('stats');
    const started = Date.now();
    for (let i = 0; i < jobs.length; i += 50) {
      await Promise.all(jobs.slice(i, i + 50).map((j) => api(`${base}/${j}`, 'PATCH')));
    }
    const done = new Map<string, RunRecordView>();
    const deadline = Date.now() + 15 * 60_000;
    while (done.size < jobs.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      for (const j of jobs) {
        if (done.has(j)) continue;
        const [r] = await api<RunRecordView[]>(`${base}/${j}/runs?limit=1`, 'GET');
        if (r && (r.status === 'succeeded' || r.status === 'failed')) done.set(j, r);
      }
    }
    const after = await aws.ask<Stats>('stats');
    const records = [...done.values()];
    const last = Math.max(
      ...records.map((r) => Date.parse(r.outcome?.reached_at ?? r.finished_at)),
    );
    const { calls, throttled } = diff(before, after);
    console.log(
      `reference, ${INSTANCES} jobs of one instance each: ${records.filter((r) => r.status === 'succeeded').length} succeeded, ` +
        `${records.filter((r) => r.status === 'failed').length} failed (first attempt or last, as recorded last), ` +
        `${jobs.length - records.length} unfinished; EC2 calls ${JSON.stringify(calls)}, ${throttled} throttled answers; ` +
        `last outcome ${last - started} ms after the first request; app RSS ${rssMb(app.pid).toFixed(0)} MB`,
    );
  } finally {
    await app.stop();
    aws.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${INSTANCES} instances, ${LATENCY_MS} ms per call, ` +
      "EC2's published request-rate buckets applied by the fake",
  );
  await fleet();
  if (REFERENCE) await reference();
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});

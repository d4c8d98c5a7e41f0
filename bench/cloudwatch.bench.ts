/**
 * npm run bench:cloudwatch
 *
 * Throughput of the CloudWatch Logs run log: BENCH_JOBS jobs (default 10,000, 100 log groups of
 * 100 streams) each finishing a run in the same instant, BENCH_MINUTES times (default 3), against
 * the local CloudWatch Logs stand-in in its own process, answering each call after 20 ms and
 * refusing PutLogEvents beyond 5,000 per second (the account quota) with ThrottlingException.
 * Real SDK client, real HTTP. Reports per burst: the time until every record is stored, the
 * PutLogEvents calls, the throttled ones, and records that could not be written.
 *
 * BENCH_OUTAGE=1 npm run bench:cloudwatch: the outage instead. The same bursts arrive while
 * CloudWatch refuses connections (a fault proxy in front of the stand-in): the time each burst
 * takes to be held (memory, then the spill file) and the event loop's worst delay meanwhile;
 * then CloudWatch comes back: the time until all of it is delivered, and the PutLogEvents calls.
 */
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { createLogsClient } from '../src/common/aws-logs-client';
import { CloudWatchJobLog } from '../src/job-log/cloudwatch-job-log';
import { RunRecord } from '../src/domain/run-record';
import { sampleJob } from '../test/contracts/job-log.contract';
import { JobKey } from '../src/domain/job-key';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CloudWatchFaultProxy } from '../test/chaos/support/cloudwatch-fault-proxy';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 3);
const LATENCY_MS = 20;
const QUOTA = 5000;

interface Stats {
  counts: Record<string, number>;
  throttled: number;
  events: number;
}

function record(key: JobKey, minute: number): RunRecord {
  const at = new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString();
  return {
    run_id: `${key.account}/${key.group}/${key.id}@${at}`,
    trigger: 'schedule',
    scheduled_for: at,
    attempt: 1,
    status: 'succeeded',
    started_at: at,
    finished_at: at,
    duration_ms: 12,
    runner: 'dummyRunner',
    output: 'dummy run',
  };
}

const OUTAGE = process.env.BENCH_OUTAGE === '1';

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs, ${MINUTES} bursts, ` +
      `${LATENCY_MS} ms per call, PutLogEvents quota ${QUOTA}/s`,
  );
  const child = fork(resolve(__dirname, 'support', 'fake-aws-process.js'), [], {
    env: {
      ...process.env,
      FAKE_AWS_LATENCY_MS: String(LATENCY_MS),
      FAKE_AWS_PUT_LOG_EVENTS_PER_SECOND: String(QUOTA),
    },
  });
  const next = () => new Promise<unknown>((r) => child.once('message', r));
  const { url } = (await next()) as { url: string };
  const stats = async () => {
    const answer = next();
    child.send('stats');
    return (await answer) as Stats;
  };
  if (OUTAGE) return outage(url, stats, () => child.kill());
  // The client the app makes for `logProvider: cloudwatch` (its connection settings included).
  const client = createLogsClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIABENCH0000000', secretAccessKey: 'bench-secret' },
  });
  const log = new CloudWatchJobLog(client, 'bench', 90, false);
  const keys: JobKey[] = Array.from({ length: JOBS }, (_, i) => ({
    account: 'bench',
    group: `g${i % 100}`,
    id: `job-${i}`,
  }));
  try {
    const setup = Date.now();
    // Each job's group and stream, as creating the jobs through the API does.
    for (let i = 0; i < keys.length; i += 500) {
      await Promise.all(keys.slice(i, i + 500).map((k) => log.jobSaved(sampleJob(k))));
    }
    console.log(`created ${JOBS} streams in ${Date.now() - setup} ms`);
    for (let minute = 1; minute <= MINUTES; minute++) {
      const before = await stats();
      const failedBefore = log.writeFailures;
      const started = Date.now();
      for (const k of keys) void log.append(k, record(k, minute));
      await log.flush();
      const ms = Date.now() - started;
      const after = await stats();
      const puts = after.counts['logs:PutLogEvents'] - (before.counts['logs:PutLogEvents'] ?? 0);
      console.log(
        `burst ${minute}: ${JOBS} records stored in ${ms} ms (${(ms / 60_000).toFixed(3)} of the minute), ` +
          `${puts} PutLogEvents, ${after.throttled - before.throttled} throttled, ` +
          `${log.writeFailures - failedBefore} not written, ${after.events - before.events} events arrived`,
      );
    }
  } finally {
    client.destroy();
    child.kill();
  }
}

/** The bursts while CloudWatch refuses connections, then the delivery once it is back. */
async function outage(url: string, stats: () => Promise<Stats>, stop: () => void): Promise<void> {
  const proxy = await CloudWatchFaultProxy.start(url);
  const dir = mkdtempSync(join(tmpdir(), 'minion-bench-spill-'));
  const client = createLogsClient({
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'AKIABENCH0000000', secretAccessKey: 'bench-secret' },
  });
  // The defaults of logProvider.config, but a 1 s retry interval (the delivery starts at once).
  const log = new CloudWatchJobLog(client, 'bench', 90, false, 200, {
    limits: {
      bufferRecords: 10_000,
      spillFile: join(dir, 'runs.jsonl'),
      spillMaxBytes: 1024 * 1024 * 1024,
      retryMs: 1000,
      maxRetryMs: 1000,
    },
  });
  log.onModuleInit();
  const keys: JobKey[] = Array.from({ length: JOBS }, (_, i) => ({
    account: 'bench',
    group: `g${i % 100}`,
    id: `job-${i}`,
  }));
  try {
    for (let i = 0; i < keys.length; i += 500) {
      await Promise.all(keys.slice(i, i + 500).map((k) => log.jobSaved(sampleJob(k))));
    }
    await proxy.fault('refuse');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    for (let minute = 1; minute <= MINUTES; minute++) {
      lag.reset();
      lag.enable();
      const started = Date.now();
      for (const k of keys) void log.append(k, record(k, minute));
      await log.flush();
      // The spill file's write ends the turn after the last record.
      await new Promise((r) => setImmediate(r));
      lag.disable();
      const held = log.heldRecords;
      console.log(
        `outage burst ${minute}: ${JOBS} records held in ${Date.now() - started} ms ` +
          `(memory ${held?.buffered}, disk ${held?.spilled}), event loop delay max ` +
          `${Math.round(lag.max / 1e6)} ms, ${log.writeFailures} not written`,
      );
    }
    const before = await stats();
    await proxy.heal();
    const healed = Date.now();
    while ((log.heldRecords?.buffered ?? 0) + (log.heldRecords?.spilled ?? 0) > 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = Date.now() - healed;
    const after = await stats();
    const total = JOBS * MINUTES;
    const puts = after.counts['logs:PutLogEvents'] - (before.counts['logs:PutLogEvents'] ?? 0);
    console.log(
      `delivered ${log.heldRecords?.totals.delivered} of ${total} held records ${ms} ms after ` +
        `CloudWatch came back (${Math.round((total / ms) * 1000)} records/s), ${puts} PutLogEvents, ` +
        `${after.throttled - before.throttled} throttled, ${after.events - before.events} events ` +
        `arrived, ${log.heldRecords?.totals.dropped} dropped`,
    );
  } finally {
    await log.onApplicationShutdown();
    client.destroy();
    await proxy.stop();
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

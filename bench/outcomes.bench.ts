/**
 * npm run bench:outcomes
 *
 * Does waiting for the target state hold the queue back? BENCH_JOBS (default 64) instance-start
 * jobs due at the same minute, through the built app started as a user starts it (file repository
 * in a data dir, concurrency 16), against the fake AWS endpoint in its own process, where each
 * instance stays `pending` for BENCH_SETTLE (default 8) describes, polled every second: each
 * run's wait lasts about that many seconds. Two variants in one run, interleaved: the default
 * (`scheduler.maxWaiting` 256: a waiting run gives its slot back) and `maxWaiting: 0` (every wait
 * holds its slot, as if the wait were part of the call). For the first minute after the app is
 * ready: the last action's start (`started_at - scheduled_for`, read through the API) and the
 * last outcome (`finished_at - scheduled_for`). BENCH_RUNS (default 2) runs of each.
 */
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nextBoundary, sleepUntil, startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 64);
const SETTLE = Number(process.env.BENCH_SETTLE ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const GROUPS = 4;

interface Result {
  runs: number;
  lastStartMs: number;
  lastOutcomeMs: number;
  reached: number;
}

const instanceId = (i: number) => `i-${i.toString(16).padStart(17, '0')}`;

async function fakeAws(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(resolve(__dirname, 'support', 'fake-aws-process.js'), [], {
    env: {
      ...process.env,
      FAKE_AWS_SETTLE_AFTER: String(SETTLE),
      FAKE_AWS_INSTANCE_STATE: 'stopped',
    },
  });
  const { url } = await new Promise<{ url: string }>((r) =>
    child.once('message', (m) => r(m as { url: string })),
  );
  return { url, child };
}

interface RunView {
  scheduled_for: string;
  started_at: string;
  finished_at: string;
  outcome?: { result: string };
}

/** The first-minute runs of every job, read through the API. */
async function firstMinuteRuns(url: string, minute: number): Promise<RunView[]> {
  const out: RunView[] = [];
  for (let i = 0; i < JOBS; i++) {
    const res = await fetch(`${url}/bench/jobs/g${i % GROUPS}/job-${i}/runs?limit=10`, {
      headers: { 'X-Auth-Token': BENCH_CONFIG.token },
    });
    const runs = (await res.json()) as RunView[];
    out.push(...runs.filter((r) => Date.parse(r.scheduled_for) === minute));
  }
  return out;
}

async function measure(dataDir: string, maxWaiting: number | undefined): Promise<Result> {
  rmSync(join(dataDir, '.runs'), { recursive: true, force: true });
  rmSync(join(dataDir, '.scheduler'), { recursive: true, force: true });
  const aws = await fakeAws();
  const app = await startRealApp(
    {
      token: BENCH_CONFIG.token,
      accounts: { bench: { runners: ['instanceRunner'], region: 'us-east-1' } },
      jobRunners: {
        instanceRunner: {
          type: 'instance',
          config: { waitTimeout: '5m', waitPollMin: '1s', waitPollMax: '1s' },
        },
      },
      scheduler: {
        drainDelay: '0s',
        concurrency: 16,
        ...(maxWaiting === undefined ? {} : { maxWaiting }),
      },
    },
    {
      dataDir,
      env: {
        AWS_ENDPOINT_URL_EC2: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIABENCH0000000',
        AWS_SECRET_ACCESS_KEY: 'bench-secret',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  try {
    await whenReady(app);
    let minute = nextBoundary(Date.now());
    if (minute - Date.now() < 5000) minute += 60_000;
    await sleepUntil(minute);
    const deadline = Date.now() + 5 * 60_000;
    let runs: RunView[] = [];
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      runs = await firstMinuteRuns(app.url, minute);
      if (runs.length >= JOBS) break;
    }
    const lag = (t: string) => Date.parse(t) - minute;
    return {
      runs: runs.length,
      lastStartMs: Math.max(...runs.map((r) => lag(r.started_at))),
      lastOutcomeMs: Math.max(...runs.map((r) => lag(r.finished_at))),
      reached: runs.filter((r) => r.outcome?.result === 'reached').length,
    };
  } finally {
    await app.stop();
    aws.child.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${JOBS} instance starts due at once, ` +
      `each pending for ${SETTLE} describes at 1 s, concurrency 16; ${RUNS} run(s)`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-outcomes-'));
  try {
    seedJobs(dataDir, 'bench', JOBS, '* * * * *', GROUPS, (i) => ({
      runner: 'instanceRunner',
      instance_action: 'start',
      instance_id: instanceId(i),
    }));
    const released: Result[] = [];
    const held: Result[] = [];
    for (let run = 1; run <= RUNS; run++) {
      for (const [name, maxWaiting, into] of [
        ['slot released (default)', undefined, released],
        ['slot held (maxWaiting 0)', 0, held],
      ] as const) {
        const r = await measure(dataDir, maxWaiting);
        into.push(r);
        console.log(
          `run ${run} ${name}: ${r.runs} runs (${r.reached} reached), last start ${r.lastStartMs} ms, ` +
            `last outcome ${r.lastOutcomeMs} ms`,
        );
      }
    }
    const [rs, hs] = [
      median(released.map((r) => r.lastStartMs)),
      median(held.map((r) => r.lastStartMs)),
    ];
    const [ro, ho] = [
      median(released.map((r) => r.lastOutcomeMs)),
      median(held.map((r) => r.lastOutcomeMs)),
    ];
    console.log(
      `\nmedian last start: released ${rs} ms, held ${hs} ms; ratio released / held ${(rs / hs).toFixed(3)}x`,
    );
    console.log(
      `median last outcome: released ${ro} ms, held ${ho} ms; ratio ${(ro / ho).toFixed(2)}x`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * npm run bench:api
 *
 * Throughput of the API of the built app (started as a user starts it, on a data dir holding one
 * group of 1,000 jobs, default logging and run log) against a bare Express hello-world started
 * the same way, measured with autocannon (50 connections, BENCH_SECONDS each, default 10),
 * interleaved: each round measures Express, then each minion route. Ratios are taken within a
 * round, and the median over BENCH_ROUNDS rounds (default 3) is reported.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const LIST_SIZE = 1000;

interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  authed: boolean;
}

async function startExpress(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [resolve(__dirname, 'support', 'express-hello.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await createInterface({ input: child.stdout! })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value as string]);
  return { url: `http://127.0.0.1:${line.trim()}/hello`, stop: () => child.kill() };
}

async function measure(t: Target): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({
    url: t.url,
    method: t.method ?? 'GET',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: {
      ...(t.authed ? { 'x-auth-token': BENCH_CONFIG.token } : {}),
      ...(t.body ? { 'content-type': 'application/json' } : {}),
    },
    body: t.body,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p99: result.latency.p99, errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${CONNECTIONS} connections, ` +
      `${SECONDS} s per measure, ${ROUNDS} round(s)`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-api-'));
  seedJobs(dataDir, 'bench', LIST_SIZE, '0 0 1 1 *', 1);
  const express = await startExpress();
  const app = await startRealApp(BENCH_CONFIG, { dataDir });
  try {
    await whenReady(app);
    const jobs = `${app.url}/bench/jobs`;
    // The seed README's create body: `{ job, tags }`; the id is made by the server.
    const createBody = JSON.stringify({
      job: {
        name: 'created by bench:api',
        description: 'throughput of POST',
        details: { runner: 'dummyRunner' },
        schedule_expression: '0 0 1 1 *',
        enabled: false,
      },
      tags: [{ key: 'bench', value: 'api' }],
    });
    const targets: Target[] = [
      { name: 'express hello', url: express.url, authed: false },
      { name: 'ping', url: `${app.url}/ping`, authed: false },
      { name: 'GET one job', url: `${jobs}/g0/job-7`, authed: true },
      { name: `GET list of ${LIST_SIZE} ids`, url: `${jobs}/g0`, authed: true },
      {
        name: 'POST create',
        url: `${jobs}/created`,
        method: 'POST',
        body: createBody,
        authed: true,
      },
    ];
    const ratios = new Map<string, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      let reference = 0;
      for (const t of targets) {
        const m = await measure(t);
        if (t === targets[0]) reference = m.rps;
        const ratio = m.rps / reference;
        if (t !== targets[0]) ratios.set(t.name, [...(ratios.get(t.name) ?? []), ratio]);
        console.log(
          `round ${round} ${t.name}: ${m.rps.toFixed(0)} req/s, p99 ${m.p99} ms, ` +
            `${m.errors} errors${t === targets[0] ? '' : `, ${ratio.toFixed(2)}x express`}`,
        );
      }
    }
    console.log('\nmedian ratio to bare Express (same run):');
    for (const [name, rs] of ratios) console.log(`  ${name}: ${median(rs).toFixed(2)}x`);
  } finally {
    express.stop();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

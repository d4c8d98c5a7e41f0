/**
 * npm run bench:api
 *
 * What a user meets: the built app (`NODE_ENV=production node dist/main.js -config FILE`,
 * embedded defaults, default logging) on a data dir holding 1,000 jobs spread over 10 groups of
 * account `bench`, against a bare Express hello-world in its own process, with autocannon (50
 * connections, BENCH_SECONDS each, default 10). Routes: the account list `GET /bench/jobs` (what
 * a client lists), `POST /bench-writes/jobs/g0` (create: into another account, so the list
 * measured stays at 1,000), `GET` one job, `GET /ping` (the framework's floor), and the route the
 * earlier version of this bench measured as "the list", one group's ids (`GET /bench/jobs/g0`),
 * and the Nest floor (`fastify-get`, `fastify-create`: the same Nest on Fastify, minion's HTTP
 * platform, with minion's validation pipe and create DTO and none of minion's own work,
 * `support/nest-floor.ts`), which splits what a route costs above bare Express into the
 * framework's part and minion's; `floor-get`, `floor-create`: the same floor on Nest's Express
 * adapter, minion's platform before issue 24's fifth pass (not among the default routes).
 *
 * Every route is warmed up first (BENCH_WARMUP seconds, default 3, not measured: JIT, caches);
 * then, in each of BENCH_ROUNDS rounds (default 3), each route is measured right after its own
 * Express measure (interleaved pairs), and the ratio is taken within the pair. Medians reported.
 * Each measure also reads the server's CPU time from /proc (user + system) and reports it per
 * answered request, and the CPU ratio (Express's CPU a request ÷ the route's): on a machine
 * shared with other processes it moves much less than req/s does.
 * BENCH_CPU_PROF=DIR writes a `--cpu-prof` profile of the app into DIR (at its exit).
 * BENCH_ROUTES=list,create,... measures only those routes. BENCH_BEFORE_MAIN=PATH/dist/main.js
 * also starts that build (e.g. the commit before a change) on a copy of the data, and measures
 * each route on it right after this build's measure, against the same Express measure.
 */
import autocannon from 'autocannon';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';
import {
  cpuMs,
  median,
  NEST_FLOOR,
  startTimedApp,
  startTimedExpress,
  startTimedReference,
  TimedStart,
} from './support/timed-start';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const BEFORE_MAIN = process.env.BENCH_BEFORE_MAIN;
const CONNECTIONS = 50;
const JOBS = 1000;
const GROUPS = 10;

interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  authed: boolean;
  /** The process answering, whose CPU time the measure reads. */
  pid: number;
}

interface Measure {
  rps: number;
  p99: number;
  errors: number;
  /** The server's CPU time (user + system, from /proc) per answered request, in µs. */
  cpuUs: number;
}

async function measure(t: Target, seconds: number): Promise<Measure> {
  const cpuBefore = cpuMs(t.pid);
  const result = await autocannon({
    url: t.url,
    method: t.method ?? 'GET',
    connections: CONNECTIONS,
    duration: seconds,
    headers: {
      ...(t.authed ? { 'x-auth-token': BENCH_CONFIG.token } : {}),
      ...(t.body ? { 'content-type': 'application/json' } : {}),
    },
    body: t.body,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  const cpuUs = ((cpuMs(t.pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p99: result.latency.p99, errors, cpuUs };
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${CONNECTIONS} connections, ` +
      `${SECONDS} s per measure (${WARMUP} s warm-up), ${ROUNDS} round(s); ` +
      `${JOBS} jobs in ${GROUPS} groups`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-api-'));
  seedJobs(dataDir, 'bench', JOBS, '0 0 1 1 *', GROUPS);
  const beforeDir = mkdtempSync(join(tmpdir(), 'minion-bench-api-before-'));
  if (BEFORE_MAIN) cpSync(dataDir, beforeDir, { recursive: true });
  const config = {
    ...BENCH_CONFIG,
    accounts: { ...BENCH_CONFIG.accounts, 'bench-writes': { runners: ['dummyRunner'] } },
  };
  // Every process started is stopped in `finally`, also when a later one fails to start (a
  // BENCH_BEFORE_MAIN build that does not come up left the others running).
  const started: TimedStart[] = [];
  const track = <T extends TimedStart>(p: T): T => (started.push(p), p);
  try {
    const express = track(await startTimedExpress());
    const app = track(
      await startTimedApp(config, dataDir, {
        nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      }),
    );
    const before = BEFORE_MAIN
      ? track(await startTimedApp(config, beforeDir, { main: BEFORE_MAIN }))
      : undefined;
    // The Nest floors answer the very bytes minion answers for the job read.
    const getPath = '/bench/jobs/g7/job-7';
    const answer = await fetch(`${app.url}${getPath}`, {
      headers: { 'x-auth-token': BENCH_CONFIG.token },
    });
    const getBody = await answer.text();
    const startFloor = async (platform: string) => {
      const floor = await startTimedReference(NEST_FLOOR, getPath, {
        FLOOR_GET_BODY: getBody,
        FLOOR_PLATFORM: platform,
      });
      track(floor);
      return { base: new URL(floor.url).origin, pid: floor.pid };
    };
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
    const reference: Target = {
      name: 'express hello',
      url: express.url,
      authed: false,
      pid: express.pid,
    };
    const routes = (base: string, pid: number, suffix = ''): Record<string, Target> => ({
      ping: { name: `GET /ping${suffix}`, url: `${base}/ping`, authed: false, pid },
      list: {
        name: `GET /bench/jobs (account list, ${JOBS} jobs)${suffix}`,
        url: `${base}/bench/jobs`,
        authed: true,
        pid,
      },
      create: {
        name: `POST create${suffix}`,
        url: `${base}/bench-writes/jobs/g0`,
        method: 'POST',
        body: createBody,
        authed: true,
        pid,
      },
      get: {
        name: `GET one job${suffix}`,
        url: `${base}${getPath}`,
        authed: true,
        pid,
      },
      group: {
        name: `GET /bench/jobs/g0 (one group, ${JOBS / GROUPS} ids)${suffix}`,
        url: `${base}/bench/jobs/g0`,
        authed: true,
        pid,
      },
    });
    const floorRoutes = (f: { base: string; pid: number }, prefix: string, label: string) => ({
      [`${prefix}-get`]: {
        name: `GET one job, ${label}`,
        url: `${f.base}${getPath}`,
        authed: false,
        pid: f.pid,
      },
      [`${prefix}-create`]: {
        name: `POST create, ${label}`,
        url: `${f.base}/bench-writes/jobs/g0`,
        method: 'POST' as const,
        body: createBody,
        authed: false,
        pid: f.pid,
      },
    });
    const chosen = (
      process.env.BENCH_ROUTES ?? 'ping,list,create,get,group,fastify-get,fastify-create'
    ).split(',');
    const floor = async (platform: 'express' | 'fastify', key: string, label: string) =>
      chosen.some((c) => c.startsWith(`${key}-`))
        ? floorRoutes(await startFloor(platform), key, label)
        : {};
    const all: Record<string, Target> = {
      ...routes(app.url, app.pid),
      ...(await floor('fastify', 'fastify', 'Nest floor on Fastify')),
      ...(await floor('express', 'floor', 'Nest floor on Express')),
    };
    const allBefore = before ? routes(before.url, before.pid, ', before build') : {};
    const targets = chosen.map((k) => all[k]).filter(Boolean);
    const beforeOf = (t: Target) => allBefore[chosen[targets.indexOf(t)]];
    for (const t of [reference, ...targets]) await measure(t, WARMUP);
    for (const t of targets) if (beforeOf(t)) await measure(beforeOf(t), WARMUP);
    const ratios = new Map<string, number[]>();
    const rates = new Map<string, number[]>();
    const cpuRatios = new Map<string, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const ref = await measure(reference, SECONDS);
        for (const target of [t, beforeOf(t)].filter(Boolean)) {
          const m = await measure(target, SECONDS);
          const ratio = m.rps / ref.rps;
          ratios.set(target.name, [...(ratios.get(target.name) ?? []), ratio]);
          rates.set(target.name, [...(rates.get(target.name) ?? []), m.rps]);
          const cpuRatio = ref.cpuUs / m.cpuUs;
          cpuRatios.set(target.name, [...(cpuRatios.get(target.name) ?? []), cpuRatio]);
          console.log(
            `round ${round} ${target.name}: ${m.rps.toFixed(0)} req/s, p99 ${m.p99} ms, ` +
              `${m.errors} errors; express ${ref.rps.toFixed(0)} req/s; ${ratio.toFixed(2)}x; ` +
              `CPU ${m.cpuUs.toFixed(0)} µs a request (express ${ref.cpuUs.toFixed(0)} µs)`,
          );
        }
      }
    }
    console.log(
      '\nmedian ratio to bare Express (each measured right after its Express measure' +
        `${before ? '; the before build right after this build' : ''}):`,
    );
    for (const [name, rs] of ratios) {
      console.log(
        `  ${name}: ${median(rs).toFixed(2)}x (${rs.map((r) => r.toFixed(2)).join(', ')}; ` +
          `median ${median(rates.get(name)!).toFixed(0)} req/s)`,
      );
    }
    // Less moved by other processes than req/s: the CPU each answer costs the server, as
    // Express's CPU a request over the route's (the ratio a server alone on a core would have).
    console.log("\nmedian CPU ratio (express CPU a request ÷ the route's, same pairs):");
    for (const [name, rs] of cpuRatios) {
      console.log(
        `  ${name}: ${median(rs).toFixed(2)}x (${rs.map((r) => r.toFixed(2)).join(', ')})`,
      );
    }
  } finally {
    for (const p of started) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(beforeDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

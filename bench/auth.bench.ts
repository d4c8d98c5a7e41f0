/**
 * npm run bench:auth
 *
 * Unauthenticated CPU exhaustion: while 8 clients send fresh, well-formed bcrypt hashes (cost 12,
 * the highest accepted by default) in X-Auth-Token as fast as they are answered, for 30 s, how
 * fast do `/health/live` and an authorised GET answer another client? Measured on the built app,
 * started as a user starts it. The attackers connect from 127.0.0.1, the prober from 127.0.0.2
 * (another address, as a real client would be). Three phases in one run: no attack (baseline),
 * attack with the defaults (bcrypt bound + per-address throttling), attack with throttling off
 * (the bcrypt bound alone).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { percentile, startRealApp, whenReady } from './support/real-app';

const TOKEN = 'bench-auth-token-0123456789';
const ATTACKERS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const B64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function freshHash(): string {
  const bytes = randomBytes(53);
  return `$2b$12$${[...bytes].map((b) => B64[b % 64]).join('')}`;
}

function get(
  url: string,
  headers: Record<string, string>,
  agent: Agent,
  localAddress: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Phase {
  name: string;
  live: number[];
  authed: number[];
  attack: Record<string, number>;
}

async function phase(
  name: string,
  url: string,
  seconds: number,
  attackers: number,
): Promise<Phase> {
  const stopAt = Date.now() + seconds * 1000;
  const attack: Record<string, number> = {};
  const attackAgent = new Agent({ keepAlive: true, maxSockets: attackers });
  const loops = Array.from({ length: attackers }, async () => {
    while (Date.now() < stopAt) {
      const status = await get(
        `${url}/bench/jobs`,
        { 'X-Auth-Token': freshHash() },
        attackAgent,
        '127.0.0.1',
      ).catch(() => -1);
      attack[status] = (attack[status] ?? 0) + 1;
    }
  });
  const probeAgent = new Agent({ keepAlive: true, maxSockets: 2 });
  const live: number[] = [];
  const authed: number[] = [];
  const probe = (async () => {
    while (Date.now() < stopAt) {
      for (const [path, headers, into] of [
        ['/health/live', {}, live],
        ['/bench/jobs', { 'X-Auth-Token': TOKEN }, authed],
      ] as const) {
        const t0 = process.hrtime.bigint();
        const status = await get(`${url}${path}`, headers, probeAgent, '127.0.0.2');
        if (status !== 200) throw new Error(`${path}: ${status}`);
        into.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await Promise.all([...loops, probe]);
  attackAgent.destroy();
  probeAgent.destroy();
  return { name, live: live.sort((a, b) => a - b), authed: authed.sort((a, b) => a - b), attack };
}

function report(p: Phase): void {
  const f = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${xs[xs.length - 1].toFixed(1)} ms (n=${xs.length})`;
  console.log(`\n${p.name}`);
  console.log(`  /health/live:   ${f(p.live)}`);
  console.log(`  authorised GET: ${f(p.authed)}`);
  if (Object.keys(p.attack).length)
    console.log(`  attacker answers by status: ${JSON.stringify(p.attack)}`);
}

async function run(throttle: boolean): Promise<Phase[]> {
  const app = await startRealApp({
    token: TOKEN,
    logLevel: 'info',
    accounts: { bench: { runners: ['dummyRunner'] } },
    jobRunners: { dummyRunner: { type: 'dummy' } },
    ...(throttle ? {} : { auth: { failureLimit: 100_000 } }),
  });
  try {
    await whenReady(app);
    const out: Phase[] = [];
    if (throttle) out.push(await phase('no attack (baseline, 10 s)', app.url, 10, 0));
    out.push(
      await phase(
        `${ATTACKERS} clients sending fresh cost-12 hashes for ${SECONDS} s, ` +
          (throttle
            ? 'defaults (bcrypt bound 2 + throttling 10 failures/min per address)'
            : 'throttling off (bcrypt bound 2 alone)'),
        app.url,
        SECONDS,
        ATTACKERS,
      ),
    );
    return out;
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; attackers from 127.0.0.1, prober from 127.0.0.2`);
  for (const p of [...(await run(true)), ...(await run(false))]) report(p);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

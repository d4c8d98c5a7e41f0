/**
 * FakeAws in its own process (so its CPU is not the benchmark's): started with fork(), it sends
 * `{ url }` once listening, and answers `'stats'` with request counts and throttled requests.
 * Env: FAKE_AWS_LATENCY_MS, FAKE_AWS_PUT_LOG_EVENTS_PER_SECOND, FAKE_AWS_SETTLE_AFTER (describes an
 * instance shows pending/stopping before it settles), FAKE_AWS_INSTANCE_STATE (of unknown instances),
 * FAKE_AWS_RATE_LIMITS=1 (EC2's published request-rate buckets). `{ addInstances: { count, tags,
 * state } }` adds tagged instances and answers `{ ids }`.
 */
import { FakeAws } from '../../test/support/fake-aws';

async function main(): Promise<void> {
  const fake = new FakeAws();
  fake.recordRequests = false;
  fake.latencyMs = Number(process.env.FAKE_AWS_LATENCY_MS ?? 0);
  fake.putLogEventsPerSecond = Number(process.env.FAKE_AWS_PUT_LOG_EVENTS_PER_SECOND ?? Infinity);
  fake.resources.settleAfter = Number(process.env.FAKE_AWS_SETTLE_AFTER ?? 1);
  fake.resources.defaultInstanceState = process.env.FAKE_AWS_INSTANCE_STATE ?? 'running';
  fake.rateLimits = process.env.FAKE_AWS_RATE_LIMITS === '1';
  const url = await fake.start();
  process.on('message', (m) => {
    const add = (
      m as { addInstances?: Parameters<typeof fake.resources.addInstances>[1] & { count: number } }
    )?.addInstances;
    if (add) {
      process.send?.({ ids: fake.resources.addInstances(add.count, add) });
      return;
    }
    if (m !== 'stats') return;
    const events = [...fake.logs.groups.values()]
      .flatMap((g) => [...g.streams.values()])
      .reduce((n, s) => n + s.length, 0);
    process.send?.({ counts: Object.fromEntries(fake.counts), throttled: fake.throttled, events });
  });
  process.send?.({ url });
}

void main();

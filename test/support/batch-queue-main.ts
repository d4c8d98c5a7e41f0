/**
 * A bare Redis queue consumer in its own process, for the batched-tick kill test
 * (test/redis-batches.e2e-spec.ts): a BullMqJobQueue on BATCH_PREFIX with batching on,
 * concurrency 2 and no room to wait. Prints READY, START <id> <attempt> as each attempt starts,
 * DONE <id> once its outcome is reported; an occurrence of a job named `hang*` never ends (until
 * the process is killed).
 */
import { AttemptOutcome } from '../../src/domain/attempt';
import { coordinationSettings } from '../../src/coordination/coordination.config';
import { BullMqJobQueue } from '../../src/coordination/redis/bullmq-job-queue';
import { RedisConnections } from '../../src/coordination/redis/redis-connections';

async function main(): Promise<void> {
  const backend = coordinationSettings(
    {
      type: 'redis',
      config: {
        host: '127.0.0.1',
        port: 6379,
        keyPrefix: process.env.BATCH_PREFIX,
        lockDuration: 1000,
        stalledInterval: 1000,
        batchFrom: 1,
      },
    },
    {
      org: 'batches',
      dataDir: '',
      retry: { attempts: 3, delayMs: 10 },
      runTimeoutMs: 60_000,
      settleWithinMs: 0,
    },
  ).backend;
  if (backend.type !== 'redis') throw new Error('expected Redis settings');
  const redis = new RedisConnections(backend.redis);
  const queue = new BullMqJobQueue(redis, { attempts: 3, delayMs: 10 }, 60_000, 1);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await queue.start(
    {
      execute: async (o, attempt): Promise<AttemptOutcome> => {
        say(`START ${o.id} ${attempt.number}`);
        if (o.jobId.startsWith('hang')) await new Promise(() => undefined);
        return { status: 'succeeded', output: 'ok', startedAt: new Date() };
      },
      report: async (r) => {
        say(`DONE ${r.occurrence.id}`);
      },
      lost: async () => 'unknown',
    },
    2,
    0,
  );
  say('READY');
}

main().catch((err: Error) => {
  process.stderr.write(`batch queue child failed: ${err.stack}\n`);
  process.exit(1);
});

/**
 * A bare Redis queue consumer in its own process, for the batched-tick kill test
 * (test/redis-batches.e2e-spec.ts): a BullMqJobQueue on BATCH_PREFIX with batching on,
 * concurrency 2 and no room to wait. Prints READY, START <id> <attempt> as each attempt starts,
 * DONE <id> once its outcome is reported; an occurrence of a job named `hang*` never ends (until
 * the process is killed).
 */
import { AttemptOutcome } from '../../src/domain/attempt';
import { batchReplica } from './batch-replica';

async function main(): Promise<void> {
  const { queue } = batchReplica(process.env.BATCH_PREFIX ?? '');
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

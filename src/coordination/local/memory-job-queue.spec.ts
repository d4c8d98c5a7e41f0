import { waitFor } from '../../../test/support/manual-clock';
import { SystemClock } from '../../common/clock';
import {
  describeJobQueueContract,
  occurrenceOf,
  ScriptConsumer,
  succeeded,
} from '../../../test/contracts/job-queue.contract';
import { manualOccurrence } from '../../domain/occurrence';
import { MemoryJobQueue } from './memory-job-queue';

const policy = { attempts: 3, delayMs: 10 };

describeJobQueueContract('MemoryJobQueue', async () => ({
  queue: new MemoryJobQueue(policy, new SystemClock()),
  cleanup: async () => undefined,
}));

describe('MemoryJobQueue specifics', () => {
  it('runs the occurrences of one job in order (a catch-up batch)', async () => {
    const queue = new MemoryJobQueue(policy, new SystemClock());
    const consumer = new ScriptConsumer(async () => {
      await new Promise((r) => setTimeout(r, 3));
      return succeeded();
    });
    await queue.start(consumer, 8);
    const batch = [1, 2, 3, 4].map((m) => occurrenceOf('same', m));
    await queue.enqueue(batch);
    await waitFor(() => consumer.reports.length === 4);
    expect(consumer.executed.map((e) => e.id)).toEqual(batch.map((o) => o.id));
  });

  it('on stop, waits for running attempts and reports what it drops', async () => {
    const queue = new MemoryJobQueue(policy, new SystemClock());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await queue.start(
      new ScriptConsumer(async () => {
        await gate;
        return succeeded();
      }),
      1,
    );
    const manual = manualOccurrence({ account: 'a', group: 'g', id: 'x' }, new Date());
    await queue.enqueue([occurrenceOf('j1'), occurrenceOf('j2'), manual]);
    const stopping = queue.stop(1000);
    setTimeout(() => release(), 20);
    expect(await stopping).toEqual({
      dropped: [occurrenceOf('j2').id, manual.id],
      stillRunning: 0,
    });
  });

  it('gives up waiting at the timeout and says how many still run', async () => {
    const queue = new MemoryJobQueue(policy, new SystemClock());
    await queue.start(new ScriptConsumer(() => new Promise(() => undefined)), 1);
    await queue.enqueue([occurrenceOf('stuck')]);
    expect(await queue.stop(20)).toEqual({ dropped: [], stillRunning: 1 });
  });

  it('a retry is not scheduled once the queue is stopping: the report says no retry', async () => {
    const queue = new MemoryJobQueue(policy, new SystemClock());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const consumer = new ScriptConsumer(async () => {
      await gate;
      return { status: 'failed', error: 'throttled', permanent: false, startedAt: new Date() };
    });
    await queue.start(consumer, 1);
    await queue.enqueue([occurrenceOf('j')]);
    const stopping = queue.stop(1000);
    release();
    await stopping;
    expect(consumer.reportsOf(occurrenceOf('j'))).toEqual([[1, 'failed', false]]);
  });
});

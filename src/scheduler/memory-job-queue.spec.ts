import { RunnerError } from '../common/errors';
import { SystemClock } from '../common/clock';
import { JobBusyError } from './job-queue';
import { MemoryJobQueue } from './memory-job-queue';
import { manualOccurrence, Occurrence, scheduledOccurrence } from './occurrence';

const now = new Date('2026-01-05T10:00:00Z');
const occ = (id: string, minute = 0): Occurrence =>
  scheduledOccurrence(
    { account: 'a', group: 'g', id },
    Date.parse('2026-01-05T10:00:00Z') + minute * 60_000,
    now,
  );

async function settle(queue: MemoryJobQueue): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = await queue.counts();
    if (c.waiting + c.active + c.delayed === 0) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('queue did not settle');
}

describe('MemoryJobQueue', () => {
  it('refuses a duplicate occurrence id while queued and after it finished', async () => {
    const queue = new MemoryJobQueue({ attempts: 3, delayMs: 1 }, new SystemClock());
    const handled: string[] = [];
    expect(await queue.enqueue([occ('j1'), occ('j1')])).toEqual([occ('j1').id]);
    await queue.start(async (o) => void handled.push(o.id), 4);
    await settle(queue);
    expect(await queue.enqueue([occ('j1')])).toEqual([]);
    expect(await queue.enqueue([occ('j1', 1)])).toHaveLength(1);
    await settle(queue);
    expect(handled).toEqual([occ('j1').id, occ('j1', 1).id]);
  });

  it('retries with the policy, passing the attempt number, and stops at a permanent error', async () => {
    const queue = new MemoryJobQueue({ attempts: 3, delayMs: 1 }, new SystemClock());
    const attempts: [string, number][] = [];
    await queue.start(async (o, attempt) => {
      attempts.push([o.jobId, attempt.number]);
      if (o.jobId === 'flaky') throw new RunnerError('throttled', false);
      if (o.jobId === 'denied') throw new RunnerError('denied', true);
    }, 4);
    await queue.enqueue([occ('flaky'), occ('denied')]);
    await settle(queue);
    expect(attempts.filter(([j]) => j === 'flaky').map(([, a]) => a)).toEqual([1, 2, 3]);
    expect(attempts.filter(([j]) => j === 'denied').map(([, a]) => a)).toEqual([1]);
    expect((await queue.counts()).failed).toBe(2);
  });

  it('runs occurrences of one job one at a time, in order, without blocking other jobs', async () => {
    const queue = new MemoryJobQueue({ attempts: 1, delayMs: 1 }, new SystemClock());
    const order: string[] = [];
    let running = 0;
    let peakSameJob = 0;
    await queue.start(async (o) => {
      if (o.jobId === 'same') peakSameJob = Math.max(peakSameJob, ++running);
      await new Promise((r) => setTimeout(r, 3));
      order.push(`${o.jobId}@${o.scheduledFor?.slice(11, 16)}`);
      if (o.jobId === 'same') running--;
    }, 8);
    await queue.enqueue([occ('same', 1), occ('same', 2), occ('other', 1), occ('same', 3)]);
    await settle(queue);
    expect(peakSameJob).toBe(1);
    expect(order.filter((o) => o.startsWith('same'))).toEqual([
      'same@10:01',
      'same@10:02',
      'same@10:03',
    ]);
    // `other` ran alongside the first `same`, not behind the whole chain.
    expect(order.indexOf('other@10:01')).toBeLessThan(order.indexOf('same@10:02'));
  });

  it('puts a busy occurrence back without using an attempt', async () => {
    const queue = new MemoryJobQueue({ attempts: 1, delayMs: 1 }, new SystemClock());
    const seen: number[] = [];
    let busy = 2;
    await queue.start(async (_o, attempt) => {
      seen.push(attempt.number);
      if (busy-- > 0) throw new JobBusyError('a/g/j');
    }, 1);
    await queue.enqueue([occ('j')]);
    await settle(queue);
    expect(seen).toEqual([1, 1, 1]);
    expect((await queue.counts()).failed).toBe(0);
  });

  it('on stop, waits for running handlers and reports what it drops', async () => {
    const queue = new MemoryJobQueue({ attempts: 1, delayMs: 1 }, new SystemClock());
    let release!: () => void;
    await queue.start(() => new Promise<void>((r) => (release = r)), 1);
    const manual = manualOccurrence({ account: 'a', group: 'g', id: 'x' }, now);
    await queue.enqueue([occ('j1'), occ('j2'), manual]);
    const stopping = queue.stop(1000);
    setTimeout(() => release(), 20);
    const result = await stopping;
    expect(result).toEqual({ dropped: [occ('j2').id, manual.id], stillRunning: 0 });
    await expect(queue.enqueue([occ('j3')])).rejects.toThrow('shutting down');
  });

  it('gives up waiting at the timeout and says how many still run', async () => {
    const queue = new MemoryJobQueue({ attempts: 1, delayMs: 1 }, new SystemClock());
    await queue.start(() => new Promise<void>(() => undefined), 1);
    await queue.enqueue([occ('stuck')]);
    expect(await queue.stop(20)).toEqual({ dropped: [], stillRunning: 1 });
  });
});

import { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchOutbox, isOutage, OutboxLimits, Schedule } from './cloudwatch-outbox';
import { SpillRecord } from './spill-file';

/** Retries run when the test says so: each scheduled task with the pause it asked for. */
class ManualSchedule {
  tasks: { task: () => void; ms: number }[] = [];
  readonly schedule: Schedule = (task, ms) => {
    const entry = { task, ms };
    this.tasks.push(entry);
    return () => (this.tasks = this.tasks.filter((t) => t !== entry));
  };

  /** Runs the next task; returns the pause it had asked for. */
  runNext(): number {
    const next = this.tasks.shift();
    if (!next) throw new Error('nothing scheduled');
    next.task();
    return next.ms;
  }
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

/** CloudWatch as the outbox sees it: up or down, every delivered event kept per stream. */
class FakeCloudWatch {
  down: (() => Error) | null = null;
  /** Fail (as down) after this many more successful calls; null: never. */
  failAfter: number | null = null;
  calls = 0;
  readonly delivered: { stream: string; message: string }[] = [];
  readonly deliver = async (_group: string, stream: string, events: InputLogEvent[]) => {
    this.calls++;
    if (this.down) throw this.down();
    if (this.failAfter !== null && this.failAfter-- <= 0) throw throttled();
    for (const e of events) this.delivered.push({ stream, message: e.message ?? '' });
  };

  messages(): string[] {
    return this.delivered.map((d) => d.message);
  }

  /** Messages per stream, in the order delivered (the order CloudWatch keeps is per stream). */
  byStream(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const d of this.delivered) (out[d.stream] ??= []).push(d.message);
    return out;
  }
}

const record = (i: number, stream = `s${i % 3}`): SpillRecord => ({
  g: 'acme-grp',
  s: stream,
  t: Date.parse('2026-01-05T10:00:00Z') + i * 1000,
  m: `run-${i}`,
});
const endOfTurn = () => new Promise((r) => setImmediate(r));
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => record(from + k));
/** What `byStream` should answer for `records`. */
const expectedByStream = (records: SpillRecord[]) => {
  const out: Record<string, string[]> = {};
  for (const r of records) (out[r.s] ??= []).push(r.m);
  return out;
};

describe('CloudWatchOutbox', () => {
  let dir: string;
  let limits: OutboxLimits;
  let clock: ManualSchedule;
  let cloudwatch: FakeCloudWatch;
  const outbox = (over: Partial<OutboxLimits> = {}) => {
    const o = new CloudWatchOutbox(
      'runs',
      cloudwatch.deliver,
      { ...limits, ...over },
      clock.schedule,
    );
    o.start();
    return o;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minion-outbox-'));
    limits = {
      bufferRecords: 5,
      spillFile: join(dir, 'runs.jsonl'),
      spillMaxBytes: 1024 * 1024,
      retryMs: 1000,
      maxRetryMs: 8000,
    };
    clock = new ManualSchedule();
    cloudwatch = new FakeCloudWatch();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds records in memory up to bufferRecords, spills the rest to disk, and delivers all in order, once', async () => {
    const box = outbox();
    cloudwatch.down = throttled;
    box.add(range(0, 12));
    expect(box.active).toBe(true);
    expect([box.buffered, box.spilled]).toEqual([5, 7]);
    // Written (one write, one fsync) at the end of the turn.
    expect(readFileSync(limits.spillFile, 'utf8')).toBe('');
    await endOfTurn();
    expect(readFileSync(limits.spillFile, 'utf8').trim().split('\n')).toHaveLength(7);
    // The outage goes on: the retry pauses double up to maxRetryMs.
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      pauses.push(clock.tasks[0].ms);
      clock.runNext();
      await box.deliverNow();
    }
    expect(pauses).toEqual([1000, 1000, 2000, 4000, 8000]);
    expect(cloudwatch.delivered).toEqual([]);
    // Records arriving during the outage queue behind (memory is full: on disk).
    box.add([record(12)]);
    expect([box.buffered, box.spilled]).toEqual([5, 8]);
    cloudwatch.down = null;
    clock.runNext();
    expect(await box.deliverNow()).toBe(true);
    expect(cloudwatch.messages()).toHaveLength(13);
    expect(cloudwatch.byStream()).toEqual(expectedByStream(range(0, 13)));
    expect(box.active).toBe(false);
    expect([box.buffered, box.spilled]).toEqual([0, 0]);
    expect(box.totals).toEqual({ held: 13, spilled: 8, delivered: 13, dropped: 0 });
    // Delivered: the spill file is emptied, and the next record goes to memory again.
    expect(readFileSync(limits.spillFile, 'utf8')).toBe('');
    box.add([record(13)]);
    expect([box.buffered, box.spilled]).toEqual([1, 0]);
    await box.close();
  });

  it('after a success the pause starts from retryInterval again', async () => {
    const box = outbox();
    cloudwatch.down = refused;
    box.add([record(0)]);
    clock.runNext();
    await box.deliverNow();
    clock.runNext();
    await box.deliverNow();
    expect(clock.tasks[0].ms).toBe(2000);
    cloudwatch.down = null;
    clock.runNext();
    await box.deliverNow();
    cloudwatch.down = refused;
    box.add([record(1)]);
    expect(clock.tasks.map((t) => t.ms)).toEqual([1000]);
    await box.close();
  });

  it('never holds more than spillMaxBytes on disk: records beyond are dropped and counted', async () => {
    const box = outbox({ bufferRecords: 2, spillMaxBytes: 200 });
    box.add(range(0, 10));
    await endOfTurn();
    const size = readFileSync(limits.spillFile).length;
    expect(size).toBeLessThanOrEqual(200);
    expect(box.buffered + box.spilled + box.totals.dropped).toBe(10);
    expect(box.totals.dropped).toBeGreaterThan(0);
    expect(await box.deliverNow()).toBe(true);
    // The first ones, in order: the dropped ones are the newest.
    expect(cloudwatch.messages()).toEqual(range(0, 10 - box.totals.dropped).map((r) => r.m));
    await box.close();
  });

  it('a shutdown writes what memory holds ahead of the spill file; the next start delivers it all, in order, once', async () => {
    const first = outbox();
    cloudwatch.down = throttled;
    first.add(range(0, 9));
    await first.close();
    expect(clock.tasks).toEqual([]);
    const lines = readFileSync(limits.spillFile, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as SpillRecord).m)).toEqual(range(0, 9).map((r) => r.m));
    cloudwatch.down = null;
    const second = outbox();
    expect(second.spilled).toBe(9);
    // Delivery starts at once on start.
    expect(clock.tasks.map((t) => t.ms)).toEqual([0]);
    clock.runNext();
    expect(await second.deliverNow()).toBe(true);
    expect(cloudwatch.messages()).toHaveLength(9);
    expect(cloudwatch.byStream()).toEqual(expectedByStream(range(0, 9)));
    await second.close();
    expect(existsSync(`${limits.spillFile}.progress`)).toBe(false);
  });

  it('a crash in the middle of delivering the spill file resends nothing already delivered', async () => {
    const first = outbox({ bufferRecords: 0 });
    cloudwatch.down = throttled;
    first.add(range(0, 30).map((r, i) => ({ ...r, s: `stream-${i % 10}` })));
    expect(first.spilled).toBe(30);
    // CloudWatch comes back, takes four streams' batches, then throttles again.
    cloudwatch.down = null;
    cloudwatch.failAfter = 4;
    expect(await first.deliverNow()).toBe(false);
    expect(cloudwatch.delivered).toHaveLength(12);
    // The process dies here (no close): a new one opens the same file.
    cloudwatch.failAfter = null;
    const second = outbox({ bufferRecords: 0 });
    expect(second.spilled).toBe(18);
    expect(await second.deliverNow()).toBe(true);
    const messages = cloudwatch.messages();
    expect(messages).toHaveLength(30);
    expect(new Set(messages).size).toBe(30);
    // In order within each stream.
    for (let s = 0; s < 10; s++) {
      const ofStream = cloudwatch.delivered.filter((d) => d.stream === `stream-${s}`);
      expect(ofStream.map((d) => d.message)).toEqual([
        `run-${s}`,
        `run-${s + 10}`,
        `run-${s + 20}`,
      ]);
    }
    await second.close();
  });

  it('a record CloudWatch refuses for good (not an outage) is dropped and counted, the others delivered', async () => {
    const box = outbox();
    let calls = 0;
    const picky = new CloudWatchOutbox(
      'runs',
      async (group, stream, events) => {
        if (calls++ === 0)
          throw Object.assign(new Error('bad'), {
            name: 'InvalidParameterException',
            $metadata: { httpStatusCode: 400 },
          });
        await cloudwatch.deliver(group, stream, events);
      },
      { ...limits, spillFile: join(dir, 'other.jsonl') },
      clock.schedule,
    );
    picky.start();
    picky.add([record(0, 'a'), record(1, 'b')]);
    expect(await picky.deliverNow()).toBe(true);
    expect(picky.totals.dropped).toBe(1);
    expect(cloudwatch.messages()).toEqual(['run-1']);
    await picky.close();
    await box.close();
  });

  it('skips an unreadable line in the middle of the file, counting it dropped', async () => {
    const first = outbox({ bufferRecords: 0 });
    cloudwatch.down = throttled;
    first.add(range(0, 2));
    await endOfTurn();
    appendFileSync(limits.spillFile, 'not json\n');
    first.add(range(2, 4));
    await endOfTurn();
    cloudwatch.down = null;
    const second = outbox({ bufferRecords: 0 });
    expect(second.spilled).toBe(5);
    expect(await second.deliverNow()).toBe(true);
    expect(cloudwatch.messages().sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3']);
    expect(second.totals.dropped).toBe(1);
    expect(second.spilled).toBe(0);
    await second.close();
  });

  it('cuts a line torn by a crash while appending, and delivers the whole ones', async () => {
    const first = outbox({ bufferRecords: 0 });
    cloudwatch.down = throttled;
    first.add(range(0, 3));
    await endOfTurn();
    appendFileSync(limits.spillFile, '{"g":"acme-grp","s":"s0","t":1,"m":"to');
    cloudwatch.down = null;
    const second = outbox({ bufferRecords: 0 });
    expect(second.spilled).toBe(3);
    expect(await second.deliverNow()).toBe(true);
    expect(cloudwatch.messages().sort()).toEqual(['run-0', 'run-1', 'run-2']);
    await second.close();
  });

  it('a spill file that cannot be opened does not stop the start: memory only, the rest dropped and counted', async () => {
    appendFileSync(join(dir, 'not-a-dir'), '');
    const box = outbox({ spillFile: join(dir, 'not-a-dir', 'runs.jsonl'), bufferRecords: 3 });
    cloudwatch.down = throttled;
    box.add(range(0, 5));
    await endOfTurn();
    expect([box.buffered, box.spilled, box.totals.dropped]).toEqual([3, 0, 2]);
    cloudwatch.down = null;
    expect(await box.deliverNow()).toBe(true);
    expect(cloudwatch.messages()).toHaveLength(3);
    await box.close();
  });

  it('tells an outage (throttling, 5xx, network) from a refusal', () => {
    expect(isOutage(throttled())).toBe(true);
    expect(isOutage(refused())).toBe(true);
    expect(
      isOutage(
        Object.assign(new Error('x'), {
          name: 'ServiceUnavailableException',
          $metadata: { httpStatusCode: 503 },
        }),
      ),
    ).toBe(true);
    expect(
      isOutage(
        Object.assign(new Error('x'), {
          name: 'InternalFailure',
          $metadata: { httpStatusCode: 500 },
        }),
      ),
    ).toBe(true);
    expect(
      isOutage(
        Object.assign(new Error('x'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        }),
      ),
    ).toBe(false);
  });
});

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteJournal } from './write-journal';

describe('WriteJournal', () => {
  let base: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'minion-journal-'));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(base, { recursive: true, force: true });
  });

  const journals = () => readdirSync(base).filter((n) => n.startsWith('.journal-'));

  it('commits writes arriving together with one fdatasync, and each is in the journal when it resolves', async () => {
    const journal = new WriteJournal(base);
    journal.recover();
    const syncs = jest.spyOn(jest.requireActual<typeof import('node:fs')>('node:fs'), 'fdatasync');

    await Promise.all(
      Array.from({ length: 50 }, (_, i) => journal.commit({ file: `a/g/${i}`, text: `doc ${i}` })),
    );

    // The first write syncs alone; the 49 that arrived meanwhile go together in the next sync.
    expect(syncs.mock.calls.length).toBeLessThanOrEqual(2);
    const [name] = journals();
    const lines = readFileSync(join(base, name), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(JSON.parse(lines[49])).toEqual({ f: 'a/g/49', t: 'doc 49' });
  });

  it('makes no journal in a data dir nothing was written to', () => {
    const empty = join(base, 'never-written');
    new WriteJournal(empty).recover();
    expect(existsSync(empty)).toBe(false);
  });

  it('replays what journals a crash left, in order (the last entry of a file wins), then removes them', () => {
    mkdirSync(join(base, 'a', 'g'), { recursive: true });
    writeFileSync(join(base, 'a', 'g', 'gone'), 'old');
    writeFileSync(join(base, 'a', 'g', 'stale'), 'old');
    writeFileSync(
      join(base, '.journal-3'),
      [
        JSON.stringify({ f: 'a/g/stale', t: 'first' }),
        JSON.stringify({ f: 'a/h/new', t: 'new doc' }),
        JSON.stringify({ f: 'a/g/gone', d: 1 }),
      ].join('\n') + '\n',
    );
    // The later journal wins; its torn last line was never acknowledged.
    writeFileSync(
      join(base, '.journal-4'),
      `${JSON.stringify({ f: 'a/g/stale', t: 'second' })}\n{"f":"a/g/torn","t":"ha`,
    );

    expect(new WriteJournal(base).recover()).toBe(3);

    expect(readFileSync(join(base, 'a', 'g', 'stale'), 'utf8')).toBe('second');
    expect(readFileSync(join(base, 'a', 'h', 'new'), 'utf8')).toBe('new doc');
    expect(existsSync(join(base, 'a', 'g', 'gone'))).toBe(false);
    expect(existsSync(join(base, 'a', 'g', 'torn'))).toBe(false);
    expect(journals()).toEqual([]);
    expect(readdirSync(join(base, 'a', 'g')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a checkpoint begun while entries of its journal are still being applied fsyncs them too', async () => {
    const journal = new WriteJournal(base);
    journal.recover();
    mkdirSync(join(base, 'a', 'g'), { recursive: true });
    const opened: string[] = [];
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const open = fs.open.bind(fs) as (...args: unknown[]) => void;
    // The checkpoint opens each file it fsyncs.
    jest.spyOn(fs, 'open').mockImplementation(((path: string, ...rest: unknown[]) => {
      opened.push(String(path));
      open(path, ...rest);
    }) as typeof fs.open);
    let checkpoint!: Promise<void>;
    await journal.commit({ file: 'a/g/first', text: 'x' });
    // One batch: the first entry's continuation starts the checkpoint before the others apply.
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const entry = { file: `a/g/${i}`, text: `doc ${i}` };
        await journal.commit(entry);
        writeFileSync(join(base, entry.file), entry.text);
        journal.applied(entry);
        if (i === 0) checkpoint = journal.checkpoint();
      }),
    );
    await checkpoint;

    for (const i of [0, 1, 2, 3]) expect(opened).toContain(join(base, 'a', 'g', String(i)));
    expect(journals()).toEqual([]);
  });

  it('a checkpoint fsyncs the files written under the journal and removes it; later writes start a new one', async () => {
    const journal = new WriteJournal(base);
    journal.recover();
    mkdirSync(join(base, 'a', 'g'), { recursive: true });
    const entry = { file: 'a/g/j', text: 'doc' };
    await journal.commit(entry);
    writeFileSync(join(base, 'a', 'g', 'j'), 'doc');
    journal.applied(entry);
    expect(journals()).toEqual(['.journal-1']);

    await journal.checkpoint();
    expect(journals()).toEqual([]);

    await journal.commit({ file: 'a/g/k', text: 'next' });
    expect(journals()).toEqual(['.journal-2']);
    await journal.close();
    expect(journals()).toEqual([]);
  });
});

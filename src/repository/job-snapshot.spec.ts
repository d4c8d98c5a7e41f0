import { mkdtempSync, promises, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptJobError, JobDocument } from '../domain/job-document';
import { sampleJob } from '../../test/contracts/jobs-repository.contract';
import { FileJobsRepository } from './file-jobs.repository';
import { DirDocs, encodeSnapshot } from './job-snapshot-format';

/** The file store's cache load, as JobCache does it: list, load every key, say it finished. */
async function cacheLoad(r: FileJobsRepository) {
  const keys = (await r.listAccount('acct')).map((e) => `acct/${e}`);
  const docs = await r.loadKeys(keys);
  r.loaded();
  return docs;
}

describe('the job snapshot (format 2)', () => {
  let dir: string;
  const snapshotFile = () => join(dir, 'org', '.jobs-snapshot.json');
  const settle = (path: string) => utimesSync(path, Date.now() / 1000 - 10, Date.now() / 1000 - 10);

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'minion-snapshot-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `docs`, loads them once (the snapshot is written) and stops cleanly. */
  async function snapshotOf(docs: JobDocument[]): Promise<void> {
    const repo = new FileJobsRepository(dir, 'org');
    for (const doc of docs) await repo.create(doc);
    for (const group of new Set(docs.map((d) => d.group))) settle(join(dir, 'org', 'acct', group));
    await cacheLoad(repo);
    await repo.onApplicationShutdown();
  }

  it('gives back every field of every document as read from its file', async () => {
    const docs = [
      sampleJob({ group: 'g', id: 'plain' }),
      sampleJob({
        group: 'g',
        id: 'full',
        description: '',
        details: { runner: 'dummyRunner', cluster: 'c-1', 'odd key': 'é ✓' },
        enabled: false,
        timezone: 'Europe/Paris',
        tags: [{ key: 'team', value: 'ops' }],
        pause: { until: null, reason: 'maintenance', by: 'key-1', at: '2026-01-01T00:00:00Z' },
        blackout_calendars: ['holidays'],
      }),
      sampleJob({ group: 'h', id: 'no-tags-yet', tags: [] }),
    ];
    await snapshotOf(docs);
    // Edited in place (the directories keep their identity): the first load takes the snapshot.
    for (const d of docs) {
      writeFileSync(
        join(dir, 'org', 'acct', d.group, d.id),
        JSON.stringify({ ...d, name: 'edited' }),
      );
    }
    const fromFiles = new FileJobsRepository(dir, 'org');
    const first = await cacheLoad(fromFiles);
    expect(first).toStrictEqual([docs[1], docs[0], docs[2]]);
    // The next load (a refresh) reads the files.
    expect((await cacheLoad(fromFiles)).map((d) => (d as JobDocument).name)).toEqual([
      'edited',
      'edited',
      'edited',
    ]);
    await fromFiles.onApplicationShutdown();
  });

  it('documents share no objects: one changed leaves the others as they were', async () => {
    await snapshotOf([sampleJob({ group: 'g', id: 'a' }), sampleJob({ group: 'g', id: 'b' })]);
    const [a, b] = (await cacheLoad(new FileJobsRepository(dir, 'org'))) as JobDocument[];
    a.details.runner = 'changed';
    expect(b.details.runner).toBe('dummyRunner');
  });

  it('is a fraction of the documents: each distinct string once', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => sampleJob({ group: 'g', id: `job-${i}` }));
    await snapshotOf(docs);
    const file = JSON.parse(readFileSync(snapshotFile(), 'utf8'));
    expect(file.v).toBe(2);
    expect(file.strings.filter((s: string) => s === 'desc')).toHaveLength(1);
  });

  it('a snapshot of another format (the version before) is ignored, and replaced', async () => {
    await snapshotOf([sampleJob({ group: 'g', id: 'a', name: 'from-file' })]);
    const v1 = { v: 1, dirs: {} as Record<string, unknown> };
    writeFileSync(snapshotFile(), JSON.stringify(v1));
    const repo = new FileJobsRepository(dir, 'org');
    expect(((await cacheLoad(repo))[0] as JobDocument).name).toBe('from-file');
    await repo.onApplicationShutdown();
    expect(JSON.parse(readFileSync(snapshotFile(), 'utf8')).v).toBe(2);
  });

  it('lists an unchanged group from it at the next start (no readdir), a changed one from its files', async () => {
    await snapshotOf([
      sampleJob({ group: 'same', id: 'a' }),
      sampleJob({ group: 'moved', id: 'b' }),
    ]);
    writeFileSync(
      join(dir, 'org', 'acct', 'moved', 'c'),
      JSON.stringify(sampleJob({ group: 'moved', id: 'c' })),
    );
    settle(join(dir, 'org', 'acct', 'moved'));
    const readdir = jest.spyOn(promises, 'readdir');
    try {
      const repo = new FileJobsRepository(dir, 'org');
      const docs = (await cacheLoad(repo)) as JobDocument[];
      expect(docs.map((d) => `${d.group}/${d.id}`)).toEqual(['moved/b', 'moved/c', 'same/a']);
      const listed = readdir.mock.calls.map(([path]) => String(path));
      expect(listed).toContain(join(dir, 'org', 'acct', 'moved'));
      expect(listed).not.toContain(join(dir, 'org', 'acct', 'same'));
      await repo.onApplicationShutdown();
    } finally {
      readdir.mockRestore();
    }
  });

  it('a group holding a name that is no job is listed from its files at each start (the name is reported)', async () => {
    await snapshotOf([sampleJob({ group: 'g', id: 'a' })]);
    writeFileSync(join(dir, 'org', 'acct', 'g', '%zz'), '{}');
    settle(join(dir, 'org', 'acct', 'g'));
    const first = new FileJobsRepository(dir, 'org');
    await cacheLoad(first);
    await first.onApplicationShutdown();
    expect(first.unreadableKeys).toBe(1);
    const second = new FileJobsRepository(dir, 'org');
    expect(((await cacheLoad(second)) as JobDocument[]).map((d) => d.id)).toEqual(['a']);
    expect(second.unreadableKeys).toBe(1);
    await second.onApplicationShutdown();
  });

  it('a corrupt job file is reported in its place; the others load', async () => {
    const repo = new FileJobsRepository(dir, 'org');
    await repo.create(sampleJob({ group: 'g', id: 'a' }));
    await repo.create(sampleJob({ group: 'g', id: 'b' }));
    writeFileSync(join(dir, 'org', 'acct', 'g', 'a'), '{"half":');
    const [a, b] = await cacheLoad(repo);
    expect(a).toBeInstanceOf(CorruptJobError);
    expect((b as JobDocument).id).toBe('b');
    await repo.onApplicationShutdown();
  });

  describe('a directory of rows', () => {
    const docs = [sampleJob({ id: 'x', name: 'X' }), sampleJob({ id: 'y', name: 'Y' })];
    const rowsOf = () => {
      const file = encodeSnapshot(new Map([['acct/grp', { identity: 'i', docs, names: null }]]));
      return { strings: file.strings, jobs: file.dirs['acct/grp'].jobs };
    };

    it('finds a document asked for out of order, and not one it does not hold', () => {
      const { strings, jobs } = rowsOf();
      const rows = new DirDocs(strings, new Map(), jobs, 'acct', 'grp');
      expect(rows.get('y')?.name).toBe('Y');
      expect(rows.get('x')).toStrictEqual(docs[0]);
      expect(rows.get('z')).toBeUndefined();
    });

    it('a damaged row is not found (its file is read instead)', () => {
      const { strings, jobs } = rowsOf();
      jobs[1] = 10_000; // the first row's description: no such string
      const rows = new DirDocs(strings, new Map(), jobs, 'acct', 'grp');
      expect(rows.get('x')).toBeUndefined();
      expect(rows.get('y')?.name).toBe('Y');
      expect(new DirDocs(strings, new Map(), 'not rows', 'acct', 'grp').get('x')).toBeUndefined();
    });
  });
});

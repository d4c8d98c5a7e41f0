import { promises as fs } from 'node:fs';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobDocument } from '../domain/job-document';
import { FileJobsRepository } from './file-jobs.repository';
import {
  describeJobsRepositoryContract,
  sampleJob,
} from '../../test/contracts/jobs-repository.contract';

const nodeFs = jest.requireActual<typeof import('node:fs')>('node:fs');

describeJobsRepositoryContract('FileJobsRepository', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'minion-repo-'));
  return {
    repo: new FileJobsRepository(dir, 'org'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('FileJobsRepository specifics', () => {
  let dir: string;
  let repo: FileJobsRepository;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minion-repo-'));
    repo = new FileJobsRepository(dir, 'org');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  describe('read cache', () => {
    const key = () => ({ account: 'acct', group: 'grp', id: sampleJob().id });
    const groupDir = () => join(dir, 'org', 'acct', 'grp');
    const file = () => join(groupDir(), sampleJob().id);
    /** As if written an hour ago: settled, so cached. */
    const age = (path: string) => {
      const old = new Date(Date.now() - 3_600_000);
      utimesSync(path, old, old);
    };

    it('answers a file that did not change with one stat: no read, no listing', async () => {
      await repo.create(sampleJob());
      age(file());
      age(groupDir());
      const first = await repo.get(key());
      expect(await repo.listGroup('acct', 'grp')).toEqual([sampleJob().id]);
      const read = jest.spyOn(fs, 'readFile');
      const readdir = jest.spyOn(fs, 'readdir');
      expect((await repo.get(key())).version).toBe(first.version);
      expect(await repo.listGroup('acct', 'grp')).toEqual([sampleJob().id]);
      expect(read).not.toHaveBeenCalled();
      expect(readdir).not.toHaveBeenCalled();
    });

    it('sees edits and new files made behind its back, even within the same second', async () => {
      await repo.create(sampleJob({ name: 'aaaa' }));
      age(file());
      age(groupDir());
      expect((await repo.get(key())).document.name).toBe('aaaa');
      expect(await repo.listGroup('acct', 'grp')).toHaveLength(1);
      // Same size, in place; and a second job file dropped in.
      writeFileSync(file(), readFileSync(file(), 'utf8').replace('"aaaa"', '"bbbb"'));
      writeFileSync(join(groupDir(), 'other'), JSON.stringify(sampleJob({ id: 'other' })));
      expect((await repo.get(key())).document.name).toBe('bbbb');
      expect(await repo.listGroup('acct', 'grp')).toHaveLength(2);
      // Changed again at once: not cached while the clock tick may not have moved.
      writeFileSync(file(), readFileSync(file(), 'utf8').replace('"bbbb"', '"cccc"'));
      writeFileSync(join(groupDir(), 'third'), JSON.stringify(sampleJob({ id: 'third' })));
      expect((await repo.get(key())).document.name).toBe('cccc');
      expect(await repo.listGroup('acct', 'grp')).toHaveLength(3);
    });

    it('never hides its own writes', async () => {
      const created = await repo.create(sampleJob({ name: 'first' }));
      age(file());
      await repo.get(key());
      await repo.update(sampleJob({ name: 'second' }), created.version);
      expect((await repo.get(key())).document.name).toBe('second');
      await repo.delete(key());
      await expect(repo.get(key())).rejects.toThrow('job not found');
      expect(await repo.listGroup('acct', 'grp')).toEqual([]);
    });
  });

  it('writes pretty JSON at <path>/<org>/<account>/<group>/<id> and no temp files remain', async () => {
    await repo.create(sampleJob());
    const groupDir = join(dir, 'org', 'acct', 'grp');
    expect(readdirSync(groupDir)).toEqual(['6bcfa79f-615e-470d-97c1-687f3357497d']);
    const text = readFileSync(join(groupDir, '6bcfa79f-615e-470d-97c1-687f3357497d'), 'utf8');
    expect(text).toContain('\n  "schedule_expression": "* * * ? *",');
  });

  it('reads a document the Go service wrote (no tags, 4-space indent, escaped HTML)', async () => {
    const groupDir = join(dir, 'org', 'acct', 'grp');
    await fs.mkdir(groupDir, { recursive: true });
    writeFileSync(
      join(groupDir, 'j1'),
      '{\n    "account": "acct",\n    "description": "a \\u003cb\\u003e",\n    "details": {"runner": "dummyRunner"},\n' +
        '    "group": "grp",\n    "id": "j1",\n    "modified_at": "2020-02-27T16:22:09Z",\n    "modified_by": "someone",\n' +
        '    "name": "n",\n    "schedule_expression": "00 18 * * *",\n    "enabled": true\n}',
    );
    const { document } = await repo.get({ account: 'acct', group: 'grp', id: 'j1' });
    expect(document).toEqual({
      account: 'acct',
      description: 'a <b>',
      details: { runner: 'dummyRunner' },
      group: 'grp',
      id: 'j1',
      modified_at: '2020-02-27T16:22:09Z',
      modified_by: 'someone',
      name: 'n',
      schedule_expression: '00 18 * * *',
      enabled: true,
    });
  });

  it('keeps the previous document when a write fails before the rename (crash safety)', async () => {
    const v1 = await repo.create(sampleJob({ name: 'before' }));
    jest.spyOn(nodeFs, 'renameSync').mockImplementationOnce(() => {
      throw new Error('disk gone');
    });
    await expect(repo.update(sampleJob({ name: 'after' }), v1.version)).rejects.toThrow(
      'disk gone',
    );
    expect((await repo.get(sampleJob())).document.name).toBe('before');
    expect(readdirSync(join(dir, 'org', 'acct', 'grp'))).toEqual([
      '6bcfa79f-615e-470d-97c1-687f3357497d',
    ]);
    // Nor does a replay of the journal (a crash now) apply the write that failed.
    expect((await new FileJobsRepository(dir, 'org').get(sampleJob())).document.name).toBe(
      'before',
    );
  });

  it('an acknowledged write survives the loss of its file (a machine crash before the checkpoint): the next start replays the journal', async () => {
    const created = await repo.create(sampleJob({ name: 'journaled' }));
    const removed = await repo.create(sampleJob({ id: 'removed' }));
    await repo.delete(removed.document);
    // What a power cut can do to files written without their own fsync: gone, or resurrected.
    rmSync(join(dir, 'org', 'acct', 'grp', created.document.id));
    writeFileSync(join(dir, 'org', 'acct', 'grp', 'removed'), '{}');

    const restarted = new FileJobsRepository(dir, 'org');

    expect((await restarted.get(created.document)).document.name).toBe('journaled');
    expect(await restarted.listGroup('acct', 'grp')).toEqual([created.document.id]);
    expect(readdirSync(join(dir, 'org')).filter((n) => n.startsWith('.journal'))).toEqual([]);
  });

  describe('the snapshot of the last cache load', () => {
    /** What JobCache.load does: list every job, load them, say it finished. */
    async function cacheLoad(r: FileJobsRepository): Promise<Map<string, string>> {
      const entries = await r.listAccount('acct');
      const docs = await r.loadKeys(entries.map((e) => `acct/${e}`));
      r.loaded();
      return new Map(entries.map((e, i) => [e, (docs[i] as JobDocument).name]));
    }
    const settle = (path: string) =>
      utimesSync(path, Date.now() / 1000 - 10, Date.now() / 1000 - 10);
    const snapshotWritten = async () => {
      const file = join(dir, 'org', '.jobs-snapshot.json');
      for (let i = 0; i < 500 && !existsSync(file); i++)
        await new Promise((r) => setTimeout(r, 10));
      return existsSync(file);
    };

    it("the next start's first load reads an unchanged directory from it, and reads the files of a changed one", async () => {
      await repo.create(sampleJob({ group: 'same', id: 'a', name: 'a1' }));
      await repo.create(sampleJob({ group: 'moved', id: 'b', name: 'b1' }));
      for (const g of ['same', 'moved']) settle(join(dir, 'org', 'acct', g));
      await cacheLoad(repo);
      expect(await snapshotWritten()).toBe(true);
      // Edited in place (the directory keeps its identity), and a job added to the other group.
      writeFileSync(
        join(dir, 'org', 'acct', 'same', 'a'),
        JSON.stringify({ ...sampleJob({ group: 'same', id: 'a' }), name: 'a2' }),
      );
      await repo.create(sampleJob({ group: 'moved', id: 'c', name: 'c1' }));
      writeFileSync(
        join(dir, 'org', 'acct', 'moved', 'b'),
        JSON.stringify({ ...sampleJob({ group: 'moved', id: 'b' }), name: 'b2' }),
      );

      // A clean stop (its journal checkpointed: nothing to replay over the edits), and a start.
      await repo.onApplicationShutdown();
      const restarted = new FileJobsRepository(dir, 'org');
      const first = await cacheLoad(restarted);
      // The unchanged directory came from the snapshot (the in-place edit is not seen yet) ...
      expect(first.get('same/a')).toBe('a1');
      // ... the changed one from its files.
      expect(first.get('moved/b')).toBe('b2');
      expect(first.get('moved/c')).toBe('c1');
      // The next load (the refresh) reads every file.
      expect((await cacheLoad(restarted)).get('same/a')).toBe('a2');
    });

    it('a load that took every document from it leaves it as it is (no rewrite at each start)', async () => {
      await repo.create(sampleJob({ group: 'g', id: 'a', name: 'a1' }));
      settle(join(dir, 'org', 'acct', 'g'));
      await cacheLoad(repo);
      expect(await snapshotWritten()).toBe(true);
      await repo.onApplicationShutdown();
      const file = join(dir, 'org', '.jobs-snapshot.json');
      utimesSync(file, 1000, 1000);

      const restarted = new FileJobsRepository(dir, 'org');
      expect((await cacheLoad(restarted)).get('g/a')).toBe('a1');
      await restarted.onApplicationShutdown();
      expect(statSync(file).mtimeMs).toBe(1_000_000);
    });

    it('without a snapshot (or an unreadable one) every file is read', async () => {
      await repo.create(sampleJob({ group: 'g', id: 'a', name: 'a1' }));
      writeFileSync(join(dir, 'org', '.jobs-snapshot.json'), '{"half":');
      expect((await cacheLoad(new FileJobsRepository(dir, 'org'))).get('g/a')).toBe('a1');
    });
  });

  it('ignores leftover temp files and other hidden entries when listing', async () => {
    await repo.create(sampleJob({ id: 'a' }));
    const groupDir = join(dir, 'org', 'acct', 'grp');
    writeFileSync(join(groupDir, '.a.1234.tmp'), '{"half":');
    await fs.mkdir(join(dir, 'org', 'acct', '.trash'));
    expect(await repo.listGroup('acct', 'grp')).toEqual(['a']);
    expect(await repo.listAccount('acct')).toEqual(['grp/a']);
  });

  it('creates racing group deletes: 300 interleavings, never an error, the delete removes exactly what it reports', async () => {
    const pause = (n: number) =>
      new Promise<void>((r) => {
        let left = n;
        const step = () => (left-- > 0 ? setImmediate(step) : r());
        step();
      });
    for (let round = 0; round < 300; round++) {
      const ids = Array.from({ length: 6 }, (_, i) => `r${round}-${i}`);
      const creates = ids.map(async (id, i) => {
        await pause((i * 7 + round) % 5);
        return repo.create(sampleJob({ group: 'race', id }));
      });
      const deleting = pause(round % 4).then(() => repo.deleteGroup('acct', 'race'));
      const results = await Promise.allSettled([...creates, deleting]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const { deleted, failed } = (
        results[6] as PromiseFulfilledResult<{ deleted: string[]; failed: unknown[] }>
      ).value;
      expect(failed).toEqual([]);
      const left = await repo.listGroup('acct', 'race');
      expect([...deleted, ...left].sort()).toEqual(
        [...ids, ...left.filter((id) => !ids.includes(id))].sort(),
      );
      for (const id of deleted) expect(left).not.toContain(id);
      await repo.deleteGroup('acct', 'race');
    }
  });
});

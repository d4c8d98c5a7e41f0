import { ConflictError, InvalidFieldError, JobNotFoundError } from '../../src/common/errors';
import { JobDocument } from '../../src/domain/job-document';
import { JobsRepository } from '../../src/repository/jobs.repository';

/** A valid document for contract tests. */
export function sampleJob(overrides: Partial<JobDocument> = {}): JobDocument {
  return {
    account: 'acct',
    description: 'desc',
    details: { runner: 'dummyRunner' },
    group: 'grp',
    id: '6bcfa79f-615e-470d-97c1-687f3357497d',
    modified_at: '2020-02-27T16:22:09Z',
    modified_by: 'someone',
    name: 'dummy',
    schedule_expression: '* * * ? *',
    enabled: true,
    ...overrides,
  };
}

/**
 * The behaviour every JobsRepository must have. Each implementation's spec calls this with a
 * factory giving a fresh, empty repository (and a cleanup).
 */
export function describeJobsRepositoryContract(
  name: string,
  setup: () => Promise<{ repo: JobsRepository; cleanup: () => Promise<void> }>,
): void {
  describe(`${name}: JobsRepository contract`, () => {
    let repo: JobsRepository;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ repo, cleanup } = await setup());
    });

    afterEach(async () => {
      await cleanup();
    });

    it('creates and reads back a job with a version', async () => {
      const doc = sampleJob({ tags: [{ key: 'k', value: 'v' }], timezone: 'Europe/Berlin' });
      const created = await repo.create(doc);
      expect(created.version).toBeTruthy();
      const read = await repo.get(doc);
      expect(read.document).toEqual(doc);
      expect(read.version).toBe(created.version);
    });

    it('refuses to create over an existing job', async () => {
      await repo.create(sampleJob());
      await expect(repo.create(sampleJob({ name: 'other' }))).rejects.toBeInstanceOf(ConflictError);
      expect((await repo.get(sampleJob())).document.name).toBe('dummy');
    });

    it('updates only from the current version', async () => {
      const v1 = await repo.create(sampleJob());
      const v2 = await repo.update(sampleJob({ name: 'second' }), v1.version);
      expect(v2.version).not.toBe(v1.version);
      await expect(repo.update(sampleJob({ name: 'stale' }), v1.version)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await repo.get(sampleJob())).document.name).toBe('second');
    });

    it('lets exactly one of two concurrent updates from the same version win', async () => {
      const v1 = await repo.create(sampleJob());
      const results = await Promise.allSettled([
        repo.update(sampleJob({ name: 'a' }), v1.version),
        repo.update(sampleJob({ name: 'b' }), v1.version),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
    });

    it('reports missing jobs as JobNotFoundError', async () => {
      const missing = sampleJob();
      await expect(repo.get(missing)).rejects.toBeInstanceOf(JobNotFoundError);
      await expect(repo.update(missing, 'v')).rejects.toBeInstanceOf(JobNotFoundError);
      await expect(repo.delete(missing)).rejects.toBeInstanceOf(JobNotFoundError);
    });

    it('deletes a job', async () => {
      await repo.create(sampleJob());
      await repo.delete(sampleJob());
      await expect(repo.get(sampleJob())).rejects.toBeInstanceOf(JobNotFoundError);
      expect(await repo.listGroup('acct', 'grp')).toEqual([]);
    });

    it('lists an account as sorted group/id and a group as sorted ids', async () => {
      await repo.create(sampleJob({ group: 'g2', id: 'b' }));
      await repo.create(sampleJob({ group: 'g1', id: 'z' }));
      await repo.create(sampleJob({ group: 'g2', id: 'a' }));
      await repo.create(sampleJob({ account: 'other', group: 'g1', id: 'x' }));
      expect(await repo.listAccount('acct')).toEqual(['g1/z', 'g2/a', 'g2/b']);
      expect(await repo.listGroup('acct', 'g2')).toEqual(['a', 'b']);
      expect(await repo.listAccount('nobody')).toEqual([]);
      expect(await repo.listGroup('acct', 'none')).toEqual([]);
    });

    it('deletes a whole group and nothing else', async () => {
      for (const id of ['a', 'b', 'c']) await repo.create(sampleJob({ group: 'doomed', id }));
      await repo.create(sampleJob({ group: 'kept', id: 'k' }));
      const result = await repo.deleteGroup('acct', 'doomed');
      expect(result).toEqual({ deleted: ['a', 'b', 'c'], failed: [] });
      expect(await repo.listAccount('acct')).toEqual(['kept/k']);
      expect(await repo.deleteGroup('acct', 'doomed')).toEqual({ deleted: [], failed: [] });
    });

    it('refuses unsafe key segments even if a caller forgets to validate', async () => {
      await expect(repo.get(sampleJob({ group: '..' }))).rejects.toBeInstanceOf(InvalidFieldError);
      await expect(repo.create(sampleJob({ id: '../x' }))).rejects.toBeInstanceOf(
        InvalidFieldError,
      );
      await expect(repo.listGroup('acct', 'a/b')).rejects.toBeInstanceOf(InvalidFieldError);
    });

    it("reads a cache load's keys in order: the documents, null for a job gone since listed", async () => {
      await repo.create(sampleJob({ group: 'g1', id: 'a', name: 'A' }));
      await repo.create(sampleJob({ group: 'g1', id: 'b', name: 'B' }));
      await repo.create(sampleJob({ group: 'g2', id: 'c', name: 'C', timezone: 'Europe/Paris' }));
      const keys = (await repo.listAccount('acct')).map((e) => `acct/${e}`);
      await repo.delete(sampleJob({ group: 'g1', id: 'b' }));
      const loaded = await repo.loadKeys(keys, 2);
      expect(loaded.map((d) => d && !(d instanceof Error) && [d.group, d.id, d.name])).toEqual([
        ['g1', 'a', 'A'],
        null,
        ['g2', 'c', 'C'],
      ]);
      expect(loaded[2]).toEqual(
        sampleJob({ group: 'g2', id: 'c', name: 'C', timezone: 'Europe/Paris' }),
      );
    });

    it('passes its readiness check', async () => {
      await expect(repo.check()).resolves.toBeUndefined();
    });
  });
}

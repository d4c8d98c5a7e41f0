import { JobCache } from '../job-cache/job-cache.service';
import { RunnerRegistry } from '../runners/runner-registry';
import { Logger } from '@nestjs/common';
import { newTestService } from '../../test/support/new-test-service';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { ConflictError, ServiceUnavailableError } from '../common/errors';
import { JobChanges } from '../domain/job-changes';
import { JobDocument, StoredJob } from '../domain/job-document';
import { JobLog } from '../job-log/job-log';
import { JobsRepository } from '../repository/jobs.repository';
import { JobWriter } from './job-writer.service';

const actor: Actor = { key: 'team', client: '10.0.0.1' };
const key = { account: 'acct', group: 'g', id: 'j1' };

function doc(overrides: Partial<JobDocument> = {}): JobDocument {
  return {
    ...key,
    description: '',
    details: { runner: 'hello' },
    modified_at: '2026-01-05T10:00:00Z',
    modified_by: '',
    name: 'nightly',
    schedule_expression: '0 2 * * *',
    enabled: true,
    tags: [],
    ...overrides,
  };
}

const stored = (document: JobDocument, version = 'v2'): StoredJob => ({ document, version });

function setup() {
  const { sut, mocks } = newTestService(JobWriter, {
    repository: JobsRepository,
    changes: JobChanges,
    auditor: Auditor,
    jobLog: JobLog,
    cache: JobCache,
    runners: RunnerRegistry,
  });
  mocks.cache.all.mockReturnValue([].values());
  mocks.auditor.job.mockResolvedValue();
  mocks.auditor.group.mockResolvedValue();
  mocks.jobLog.jobSaved.mockResolvedValue();
  mocks.jobLog.jobDeleted.mockResolvedValue();
  mocks.jobLog.groupDeleted.mockResolvedValue();
  return { writer: sut, ...mocks };
}

/** The order in which the mocks were first called. */
function order(...fns: { mock: { invocationCallOrder: number[] } }[]): number[] {
  return fns.map((fn) => fn.mock.invocationCallOrder[0]);
}

describe('JobWriter', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('create', () => {
    it('writes, then announces, prepares the run log and audits the stored document', async () => {
      const m = setup();
      const written = stored(doc({ modified_by: 'stored' }));
      m.repository.create.mockResolvedValue(written);

      await expect(m.writer.create(doc(), actor)).resolves.toBe(written);

      expect(m.repository.create).toHaveBeenCalledWith(doc());
      expect(m.changes.publish).toHaveBeenCalledWith({ type: 'saved', document: written.document });
      expect(m.jobLog.jobSaved).toHaveBeenCalledWith(written.document);
      expect(m.auditor.job).toHaveBeenCalledWith('create', actor, null, written.document);
      const [write, publish, audit] = order(m.repository.create, m.changes.publish, m.auditor.job);
      expect(write).toBeLessThan(publish);
      expect(publish).toBeLessThan(audit);
    });

    it('retryable (Idempotency-Key): the same job already stored is this create retried: answered, announced, audited', async () => {
      const m = setup();
      m.repository.create.mockRejectedValue(new ConflictError('exists'));
      // Stored by the first try, a second earlier, whose answer never came.
      const landed = stored(doc({ modified_at: '2026-01-05T09:59:59Z' }), 'v1');
      m.repository.get.mockResolvedValue(landed);

      await expect(m.writer.create(doc(), actor, true)).resolves.toBe(landed);

      expect(m.repository.get).toHaveBeenCalledWith(doc());
      expect(m.changes.publish).toHaveBeenCalledWith({ type: 'saved', document: landed.document });
      expect(m.auditor.job).toHaveBeenCalledWith('create', actor, null, landed.document);
    });

    it('retryable: a different job under the id is a conflict, and not retried without the key', async () => {
      const m = setup();
      m.repository.create.mockRejectedValue(new ConflictError('exists'));
      m.repository.get.mockResolvedValue(stored(doc({ name: 'another' })));

      await expect(m.writer.create(doc(), actor, true)).rejects.toThrow(
        /Idempotency-Key already created g\/j1, a different job/,
      );
      await expect(m.writer.create(doc(), actor)).rejects.toThrow('exists');
      expect(m.repository.get).toHaveBeenCalledTimes(1);
      expect(m.changes.publish).not.toHaveBeenCalled();
      expect(m.auditor.job).not.toHaveBeenCalled();
    });

    it('succeeds, audited, when the run log cannot be prepared', async () => {
      const m = setup();
      const written = stored(doc());
      m.repository.create.mockResolvedValue(written);
      m.jobLog.jobSaved.mockRejectedValue(new Error('ThrottlingException'));

      await expect(m.writer.create(doc(), actor)).resolves.toBe(written);

      expect(m.auditor.job).toHaveBeenCalledWith('create', actor, null, written.document);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('ThrottlingException'));
    });

    it('neither announces, audits nor prepares a log when the write fails', async () => {
      const m = setup();
      m.repository.create.mockRejectedValue(new ConflictError('exists'));

      await expect(m.writer.create(doc(), actor)).rejects.toBeInstanceOf(ConflictError);

      expect(m.changes.publish).not.toHaveBeenCalled();
      expect(m.auditor.job).not.toHaveBeenCalled();
      expect(m.jobLog.jobSaved).not.toHaveBeenCalled();
    });
  });

  describe('replace', () => {
    const current = stored(doc(), 'v1');

    it('an update writes at the read version, announces, prepares the log, audits before/after', async () => {
      const m = setup();
      const next = doc({ name: 'renamed' });
      const written = stored(next, 'v2');
      m.repository.update.mockResolvedValue(written);

      await expect(m.writer.replace(current, next, 'update', actor)).resolves.toBe(written);

      expect(m.repository.update).toHaveBeenCalledWith(next, 'v1');
      expect(m.changes.publish).toHaveBeenCalledWith({ type: 'saved', document: next });
      expect(m.jobLog.jobSaved).toHaveBeenCalledWith(next);
      expect(m.auditor.job).toHaveBeenCalledWith('update', actor, current.document, next);
    });

    it.each(['pause', 'resume'] as const)(
      'a %s announces and audits, but leaves the run log alone',
      async (action) => {
        const m = setup();
        const next = doc({ pause: { until: null, reason: 'r', by: 'team', at: 'now' } });
        m.repository.update.mockResolvedValue(stored(next));

        await m.writer.replace(current, next, action, actor);

        expect(m.changes.publish).toHaveBeenCalledWith({ type: 'saved', document: next });
        expect(m.jobLog.jobSaved).not.toHaveBeenCalled();
        expect(m.auditor.job).toHaveBeenCalledWith(action, actor, current.document, next);
      },
    );

    it('is not audited without an actor (part of a group action, audited once for it)', async () => {
      const m = setup();
      m.repository.update.mockResolvedValue(stored(doc()));

      await m.writer.replace(current, doc(), 'pause', null);

      expect(m.changes.publish).toHaveBeenCalledTimes(1);
      expect(m.auditor.job).not.toHaveBeenCalled();
    });

    it('a lost conditional write is thrown, neither announced nor audited', async () => {
      const m = setup();
      m.repository.update.mockRejectedValue(new ConflictError('version moved'));

      await expect(m.writer.replace(current, doc(), 'update', actor)).rejects.toBeInstanceOf(
        ConflictError,
      );

      expect(m.changes.publish).not.toHaveBeenCalled();
      expect(m.jobLog.jobSaved).not.toHaveBeenCalled();
      expect(m.auditor.job).not.toHaveBeenCalled();
    });

    it('an update succeeds when the run log cannot be prepared', async () => {
      const m = setup();
      const written = stored(doc());
      m.repository.update.mockResolvedValue(written);
      m.jobLog.jobSaved.mockRejectedValue(new Error('log down'));

      await expect(m.writer.replace(current, doc(), 'update', actor)).resolves.toBe(written);
      expect(m.auditor.job).toHaveBeenCalledTimes(1);
    });
  });

  describe('delete', () => {
    it('deletes, audits what was read, announces and cleans the run log', async () => {
      const m = setup();
      m.repository.delete.mockResolvedValue();
      const before = doc();

      await m.writer.delete(key, before, actor);

      expect(m.repository.delete).toHaveBeenCalledWith(key);
      expect(m.auditor.job).toHaveBeenCalledWith('delete', actor, before, null);
      expect(m.changes.publish).toHaveBeenCalledWith({ type: 'deleted', key });
      expect(m.jobLog.jobDeleted).toHaveBeenCalledWith(key);
      const [write, audit] = order(m.repository.delete, m.auditor.job);
      expect(write).toBeLessThan(audit);
    });

    it('is refused (503) while the job cache loads: it could not check that no sequence uses the job', async () => {
      const m = setup();
      m.cache.requireLoaded.mockImplementation(() => {
        throw new ServiceUnavailableError('the job cache is still loading; try again shortly', 2);
      });

      await expect(m.writer.delete(key, doc(), actor)).rejects.toThrow(ServiceUnavailableError);
      expect(m.repository.delete).not.toHaveBeenCalled();
      expect(m.changes.publish).not.toHaveBeenCalled();
    });

    it('is not audited when the job was not read first, but still announced', async () => {
      const m = setup();
      m.repository.delete.mockResolvedValue();

      await m.writer.delete(key, null, actor);

      expect(m.auditor.job).not.toHaveBeenCalled();
      expect(m.changes.publish).toHaveBeenCalledWith({ type: 'deleted', key });
    });

    it('succeeds when the run log cannot be cleaned up', async () => {
      const m = setup();
      m.repository.delete.mockResolvedValue();
      m.jobLog.jobDeleted.mockRejectedValue(new Error('log down'));

      await expect(m.writer.delete(key, doc(), actor)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('log down'));
    });

    it('a failed delete is thrown, neither audited, announced nor cleaned up', async () => {
      const m = setup();
      m.repository.delete.mockRejectedValue(new ServiceUnavailableError('S3 down'));

      await expect(m.writer.delete(key, doc(), actor)).rejects.toThrow('S3 down');

      expect(m.auditor.job).not.toHaveBeenCalled();
      expect(m.changes.publish).not.toHaveBeenCalled();
      expect(m.jobLog.jobDeleted).not.toHaveBeenCalled();
    });
  });

  describe('deleteGroup', () => {
    const result = { deleted: ['a', 'b'], failed: [{ id: 'c', reason: 'denied' }] };

    it('deletes, audits the ids deleted, announces them and cleans their run logs', async () => {
      const m = setup();
      m.repository.deleteGroup.mockResolvedValue(result);

      await expect(m.writer.deleteGroup('acct', 'g', actor)).resolves.toBe(result);

      expect(m.auditor.group).toHaveBeenCalledWith('delete-group', actor, 'acct', 'g', ['a', 'b']);
      expect(m.changes.publish).toHaveBeenCalledWith({
        type: 'groupDeleted',
        account: 'acct',
        group: 'g',
        ids: ['a', 'b'],
      });
      expect(m.jobLog.groupDeleted).toHaveBeenCalledWith('acct', 'g', ['a', 'b']);
    });

    it('succeeds when the run logs cannot be cleaned up', async () => {
      const m = setup();
      m.repository.deleteGroup.mockResolvedValue(result);
      m.jobLog.groupDeleted.mockRejectedValue(new Error('log down'));

      await expect(m.writer.deleteGroup('acct', 'g', actor)).resolves.toBe(result);
    });

    it('a failed group delete is neither audited nor announced', async () => {
      const m = setup();
      m.repository.deleteGroup.mockRejectedValue(new ServiceUnavailableError('S3 down'));

      await expect(m.writer.deleteGroup('acct', 'g', actor)).rejects.toThrow('S3 down');

      expect(m.auditor.group).not.toHaveBeenCalled();
      expect(m.changes.publish).not.toHaveBeenCalled();
      expect(m.jobLog.groupDeleted).not.toHaveBeenCalled();
    });
  });
});

import { newTestService } from '../../test/support/new-test-service';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { Clock } from '../common/clock';
import {
  ConflictError,
  InvalidFieldError,
  JobNotFoundError,
  ServiceUnavailableError,
} from '../common/errors';
import { JobDocument, JobPause, StoredJob } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { JobsRepository } from '../repository/jobs.repository';
import { JobWriter } from './job-writer.service';
import { JobsService, JobWithLog } from './jobs.service';
import { PausesService } from './pauses.service';

const NOW = '2026-01-05T10:00:00Z';
const actor: Actor = { key: 'team', client: '10.0.0.1' };
const key: JobKey = { account: 'acct', group: 'g', id: 'j1' };

function doc(id = 'j1', pause?: JobPause): JobDocument {
  return {
    account: 'acct',
    group: 'g',
    id,
    description: '',
    details: { runner: 'hello' },
    modified_at: NOW,
    modified_by: '',
    name: `job ${id}`,
    schedule_expression: '0 2 * * *',
    enabled: true,
    ...(pause ? { pause } : {}),
  };
}

const aPause: JobPause = {
  until: null,
  reason: 'migration',
  by: 'ops',
  at: '2026-01-04T09:00:00Z',
};

function setup() {
  const { sut, mocks } = newTestService(PausesService, {
    repository: JobsRepository,
    writer: JobWriter,
    jobs: JobsService,
    clock: Clock,
    auditor: Auditor,
  });
  mocks.clock.set(NOW);
  mocks.writer.replace.mockImplementation(async (_current, next) => ({
    document: next,
    version: 'v2',
  }));
  mocks.auditor.group.mockResolvedValue();
  return { pauses: sut, ...mocks };
}

/** The repository holds these jobs of group g (a missing id: deleted after the listing). */
function holding(m: ReturnType<typeof setup>, listed: string[], docs: JobDocument[]): void {
  m.repository.listGroup.mockResolvedValue(listed);
  m.repository.get.mockImplementation(async (k: JobKey): Promise<StoredJob> => {
    const found = docs.find((d) => d.id === k.id);
    if (!found) throw new JobNotFoundError(k.account, k.group, k.id);
    return { document: found, version: `v-${k.id}` };
  });
}

describe('PausesService', () => {
  describe('pause', () => {
    it.each([
      ['in the past', '2026-01-05T09:59:00Z'],
      ['now', NOW],
      ['earlier, written with an offset', '2026-01-05T10:30:00+01:00'],
    ])('refuses an until %s with InvalidFieldError naming until', async (_, until) => {
      const m = setup();
      holding(m, ['j1'], [doc()]);

      const error = await m.pauses.pause(key, { until, reason: 'r' }, actor).catch((e) => e);

      expect(error).toBeInstanceOf(InvalidFieldError);
      expect(error.field).toBe('until');
      expect(error.message).toContain('not in the future');
      expect(m.writer.replace).not.toHaveBeenCalled();
    });

    it('writes the pause (until in UTC, by the key, at now) as a pause, and answers the job', async () => {
      const m = setup();
      holding(m, ['j1'], [doc()]);
      const answer = { job: doc() } as unknown as JobWithLog;
      m.jobs.get.mockResolvedValue(answer);

      await expect(
        m.pauses.pause(key, { until: '2026-01-06T09:00:00+01:00', reason: 'migration' }, actor),
      ).resolves.toBe(answer);

      const pause: JobPause = {
        until: '2026-01-06T08:00:00Z',
        reason: 'migration',
        by: 'team',
        at: NOW,
      };
      expect(m.writer.replace).toHaveBeenCalledWith(
        { document: doc(), version: 'v-j1' },
        { ...doc(), pause },
        'pause',
        actor,
      );
      expect(m.jobs.get).toHaveBeenCalledWith(key);
    });

    it('without until pauses until resumed', async () => {
      const m = setup();
      holding(m, ['j1'], [doc()]);

      await m.pauses.pause(key, { reason: 'r' }, actor);

      expect(m.writer.replace.mock.calls[0][1].pause?.until).toBeNull();
    });

    it('of a job that does not exist is a JobNotFoundError', async () => {
      const m = setup();
      holding(m, [], []);

      await expect(m.pauses.pause(key, { reason: 'r' }, actor)).rejects.toBeInstanceOf(
        JobNotFoundError,
      );
      expect(m.writer.replace).not.toHaveBeenCalled();
    });
  });

  it('resume writes the job without its pause, as a resume', async () => {
    const m = setup();
    holding(m, ['j1'], [doc('j1', aPause)]);

    await m.pauses.resume(key, actor);

    const [current, next, action, by] = m.writer.replace.mock.calls[0];
    expect(current.document.pause).toEqual(aPause);
    expect(next).toEqual(doc());
    expect('pause' in next).toBe(false);
    expect(action).toBe('resume');
    expect(by).toBe(actor);
  });

  describe('pauseGroup', () => {
    it('pauses each listed job, skips one deleted meanwhile, audits once for the group', async () => {
      const m = setup();
      holding(m, ['a', 'gone', 'c'], [doc('a'), doc('c')]);

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).resolves.toEqual([
        'a',
        'c',
      ]);

      expect(m.repository.listGroup).toHaveBeenCalledWith('acct', 'g', {});
      expect(m.writer.replace).toHaveBeenCalledTimes(2);
      for (const call of m.writer.replace.mock.calls) {
        expect(call[1].pause).toEqual({ until: null, reason: 'r', by: 'team', at: NOW });
        expect(call[2]).toBe('pause');
        expect(call[3]).toBeNull(); // each job is not audited on its own
      }
      expect(m.auditor.group).toHaveBeenCalledTimes(1);
      expect(m.auditor.group).toHaveBeenCalledWith('pause-group', actor, 'acct', 'g', ['a', 'c']);
    });

    it('skips a job deleted between its read and its write', async () => {
      const m = setup();
      holding(m, ['a', 'b'], [doc('a'), doc('b')]);
      m.writer.replace.mockImplementation(async (current, next) => {
        if (current.document.id === 'a') throw new JobNotFoundError('acct', 'g', 'a');
        return { document: next, version: 'v2' };
      });

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).resolves.toEqual([
        'b',
      ]);
      expect(m.auditor.group).toHaveBeenCalledWith('pause-group', actor, 'acct', 'g', ['b']);
    });

    it('refuses an until in the past before touching any job', async () => {
      const m = setup();
      holding(m, ['a'], [doc('a')]);

      await expect(
        m.pauses.pauseGroup('acct', 'g', { until: '2026-01-01T00:00:00Z', reason: 'r' }, actor),
      ).rejects.toMatchObject({ field: 'until' });
      expect(m.repository.listGroup).not.toHaveBeenCalled();
      expect(m.auditor.group).not.toHaveBeenCalled();
    });

    it('stops at an error other than a deleted job, unaudited when nothing changed', async () => {
      const m = setup();
      holding(m, ['a'], [doc('a')]);
      m.repository.get.mockRejectedValue(new ServiceUnavailableError('S3 down'));

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).rejects.toThrow(
        'S3 down',
      );
      expect(m.auditor.group).not.toHaveBeenCalled();
    });

    it('stops at an error, and the audit still names the jobs paused before it', async () => {
      const m = setup();
      holding(m, ['a', 'b', 'c'], [doc('a'), doc('b'), doc('c')]);
      m.writer.replace.mockImplementation(async (_current, next) => {
        if (next.id === 'b') throw new ServiceUnavailableError('S3 down');
        return { document: next, version: 'v2' };
      });

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).rejects.toThrow(
        'S3 down',
      );
      expect(m.auditor.group).toHaveBeenCalledWith('pause-group', actor, 'acct', 'g', ['a']);
      expect(m.writer.replace).toHaveBeenCalledTimes(2); // c is not touched after the failure
    });

    it('reads and writes a job again when another write got there first', async () => {
      const m = setup();
      holding(m, ['a'], [doc('a')]);
      m.writer.replace
        .mockRejectedValueOnce(new ConflictError('modified concurrently'))
        .mockImplementation(async (_current, next) => ({ document: next, version: 'v3' }));

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).resolves.toEqual([
        'a',
      ]);
      expect(m.repository.get).toHaveBeenCalledTimes(2);
      expect(m.writer.replace).toHaveBeenCalledTimes(2);
    });

    it('gives up on a job that conflicts every time, after 3 tries', async () => {
      const m = setup();
      holding(m, ['a'], [doc('a')]);
      m.writer.replace.mockRejectedValue(new ConflictError('modified concurrently'));

      await expect(m.pauses.pauseGroup('acct', 'g', { reason: 'r' }, actor)).rejects.toThrow(
        ConflictError,
      );
      expect(m.writer.replace).toHaveBeenCalledTimes(3);
    });
  });

  it('resumeGroup resumes only the paused jobs and audits those once', async () => {
    const m = setup();
    holding(m, ['a', 'b', 'gone'], [doc('a', aPause), doc('b')]);

    await expect(m.pauses.resumeGroup('acct', 'g', actor)).resolves.toEqual(['a']);

    expect(m.writer.replace).toHaveBeenCalledTimes(1);
    expect(m.writer.replace).toHaveBeenCalledWith(
      { document: doc('a', aPause), version: 'v-a' },
      doc('a'),
      'resume',
      null,
    );
    expect(m.auditor.group).toHaveBeenCalledWith('resume-group', actor, 'acct', 'g', ['a']);
  });
});

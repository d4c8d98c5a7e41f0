import { StepCheck } from './step-check';
import { Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { mockOf, newTestService } from '../../test/support/new-test-service';
import { TEST_RUNNER_TYPES } from '../../test/support/test-runners';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { CalendarsService } from '../calendars/calendars.service';
import { Clock } from '../common/clock';
import {
  InvalidFieldError,
  JobNotFoundError,
  RunnerError,
  ServiceUnavailableError,
} from '../common/errors';
import { JobQueue, QueueClosedError } from '../coordination/job-queue';
import { QueueMetrics } from '../coordination/queue.metrics';
import { JobDocument, JobPause, StoredJob } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { Occurrence } from '../domain/occurrence';
import { RunLogInfo } from '../domain/run-record';
import { JobCache } from '../job-cache/job-cache.service';
import { JobListing } from '../job-cache/job-listing';
import { JobLog } from '../job-log/job-log';
import { JobsRepository } from '../repository/jobs.repository';
import { Pacing } from '../runners/fleet/pacing';
import { AwsClients } from '../runners/aws/aws-clients';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobRequestDto } from './dto/job-request.dto';
import { JobWriter } from './job-writer.service';
import { jobIdForKey } from './idempotency-key';
import { JobsService } from './jobs.service';

const NOW = '2026-01-05T10:00:30Z';
const actor: Actor = { key: 'team', client: '10.0.0.1' };
const key: JobKey = { account: 'acct', group: 'g', id: 'j1' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `acct` may use `hello` and `scripted`; `legacy` is configured but for another account. */
const runners = RunnerRegistry.fromConfig(
  {
    accounts: { acct: { runners: ['hello', 'scripted'] }, other: { runners: ['legacy'] } },
    runners: {
      runners: {
        hello: { type: 'dummy' },
        legacy: { type: 'dummy' },
        scripted: { type: 'scripted' },
      },
    },
  },
  TEST_RUNNER_TYPES,
  { aws: {} as AwsClients, pacing: new Pacing({}) },
);

function doc(overrides: Partial<JobDocument> = {}): JobDocument {
  return {
    ...key,
    description: '',
    details: { runner: 'hello' },
    modified_at: '2026-01-01T00:00:00Z',
    modified_by: '',
    name: 'nightly',
    schedule_expression: '0 2 * * *',
    enabled: true,
    tags: [],
    ...overrides,
  };
}

function request(
  job: Partial<JobRequestDto['job']> = {},
  tags?: JobRequestDto['tags'],
): JobRequestDto {
  return {
    job: {
      name: 'nightly',
      details: { runner: 'hello' },
      schedule_expression: '0 2 * * *',
      enabled: true,
      ...job,
    },
    ...(tags ? { tags } : {}),
  };
}

const logInfo: RunLogInfo = { type: 'file', name: 'runs.db', runs: 0, bytes: 0, last_run: null };

function setup() {
  const queue = mockOf(JobQueue);
  const { sut, mocks } = newTestService(JobsService, {
    repository: JobsRepository,
    writer: JobWriter,
    runners,
    jobLog: JobLog,
    queue,
    queueMetrics: mockOf(QueueMetrics, { scheduled: mockOf<Counter<'trigger'>>(Counter) }),
    clock: Clock,
    auditor: Auditor,
    calendars: CalendarsService,
    stepCheck: StepCheck,
    cache: mockOf(JobCache, { listing: null }),
  });
  mocks.clock.set(NOW);
  mocks.writer.create.mockImplementation(async (d) => ({ document: d, version: 'v1' }));
  mocks.writer.replace.mockImplementation(async (_c, d) => ({ document: d, version: 'v2' }));
  mocks.writer.delete.mockResolvedValue();
  mocks.calendars.assertExist.mockResolvedValue();
  mocks.calendars.blackoutAt.mockResolvedValue(null);
  mocks.jobLog.describe.mockResolvedValue(logInfo);
  mocks.jobLog.tags.mockResolvedValue(null);
  mocks.queue.enqueue.mockImplementation(async (os: Occurrence[]) => os.map((o) => o.id));
  mocks.auditor.run.mockResolvedValue();
  return { jobs: sut, ...mocks };
}

/** The repository holds these documents (any other key: JobNotFoundError). */
function holding(m: ReturnType<typeof setup>, ...docs: JobDocument[]): void {
  m.repository.get.mockImplementation(async (k: JobKey): Promise<StoredJob> => {
    const found = docs.find((d) => d.group === k.group && d.id === k.id);
    if (!found) throw new JobNotFoundError(k.account, k.group, k.id);
    return { document: found, version: `v-${k.id}` };
  });
}

describe('JobsService', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('create', () => {
    it('builds the document (path, new id, server time, tags), checks calendars, writes it', async () => {
      const m = setup();

      const answer = await m.jobs.create(
        'acct',
        'g',
        request(
          {
            description: 'd',
            timezone: 'Europe/Berlin',
            blackout_calendars: ['holidays'],
            account: 'ignored',
            group: 'ignored',
            id: 'ignored',
            modified_at: 'ignored',
          },
          [{ key: 'team', value: 'ops' }],
        ),
        actor,
      );

      const written = m.writer.create.mock.calls[0][0];
      expect(written).toEqual({
        account: 'acct',
        group: 'g',
        id: expect.stringMatching(UUID),
        description: 'd',
        details: { runner: 'hello' },
        modified_at: NOW,
        modified_by: '',
        name: 'nightly',
        schedule_expression: '0 2 * * *',
        enabled: true,
        timezone: 'Europe/Berlin',
        tags: [{ key: 'team', value: 'ops' }],
        blackout_calendars: ['holidays'],
      });
      // A random id, so not a create to retry under a key.
      expect(m.writer.create).toHaveBeenCalledWith(written, actor, false);
      expect(m.calendars.assertExist).toHaveBeenCalledWith('acct', ['holidays']);
      expect(answer.job.id).toBe(written.id);
      expect(answer.tags).toEqual([{ key: 'team', value: 'ops' }]);
      expect(answer.log).toBe(logInfo);
    });

    it('with an Idempotency-Key: the id derived from it, and the write retryable', async () => {
      const m = setup();

      await m.jobs.create('acct', 'g', request(), actor, 'order-42');
      await m.jobs.create('acct', 'g', request(), actor, 'order-42');

      const [first, second] = m.writer.create.mock.calls;
      expect(first[0].id).toBe(jobIdForKey('acct', 'g', 'order-42'));
      expect(second[0].id).toBe(first[0].id);
      expect(first[2]).toBe(true);
    });

    it('leaves out UTC and an empty calendar list', async () => {
      const m = setup();

      await m.jobs.create('acct', 'g', request({ timezone: 'UTC', blackout_calendars: [] }), actor);

      const written = m.writer.create.mock.calls[0][0];
      expect('timezone' in written).toBe(false);
      expect('blackout_calendars' in written).toBe(false);
      expect(written.tags).toEqual([]);
    });

    it.each([
      [{ runner: 'legacy' }, 'not allowed for account "acct"'],
      [{ runner: 'ghost' }, 'is not a configured runner'],
      [{}, 'is required'],
    ])('refuses details %j naming job.details.runner, writing nothing', async (details, why) => {
      const m = setup();

      const error = await m.jobs.create('acct', 'g', request({ details }), actor).catch((e) => e);

      expect(error).toBeInstanceOf(InvalidFieldError);
      expect(error.field).toBe('job.details.runner');
      expect(error.message).toContain(why);
      expect(m.writer.create).not.toHaveBeenCalled();
    });

    it("refuses details the runner's parser refuses", async () => {
      const m = setup();

      await expect(
        m.jobs.create(
          'acct',
          'g',
          request({ details: { runner: 'scripted', behavior: 'invalid' } }),
          actor,
        ),
      ).rejects.toBeInstanceOf(RunnerError);
      expect(m.writer.create).not.toHaveBeenCalled();
    });

    it('refuses unknown blackout calendars, writing nothing', async () => {
      const m = setup();
      m.calendars.assertExist.mockRejectedValue(
        new InvalidFieldError('job.blackout_calendars[0]', 'no calendar "nope"'),
      );

      await expect(
        m.jobs.create('acct', 'g', request({ blackout_calendars: ['nope'] }), actor),
      ).rejects.toMatchObject({ field: 'job.blackout_calendars[0]' });
      expect(m.writer.create).not.toHaveBeenCalled();
    });

    it('answers with a null log and the stored tags when the run log cannot be described', async () => {
      const m = setup();
      m.jobLog.describe.mockRejectedValue(new Error('log down'));

      const answer = await m.jobs.create('acct', 'g', request(), actor);

      expect(answer.log).toBeNull();
      expect(m.jobLog.tags).not.toHaveBeenCalled(); // the document has its tags
    });
  });

  describe('update', () => {
    const pause: JobPause = { until: null, reason: 'r', by: 'ops', at: '2026-01-04T00:00:00Z' };

    it('replaces the read version, keeping the id of the path and the pause', async () => {
      const m = setup();
      const current = doc({ pause });
      holding(m, current);

      await m.jobs.update(key, request({ name: 'renamed', id: 'other' }), actor);

      const [read, next, action, by] = m.writer.replace.mock.calls[0];
      expect(read).toEqual({ document: current, version: 'v-j1' });
      expect(next).toMatchObject({ ...key, name: 'renamed', modified_at: NOW, pause });
      expect(action).toBe('update');
      expect(by).toBe(actor);
    });

    it('keeps a stored runner the account may no longer use, but refuses switching to one', async () => {
      const m = setup();
      holding(m, doc({ details: { runner: 'legacy' } }));

      await m.jobs.update(key, request({ details: { runner: 'legacy' }, enabled: false }), actor);
      expect(m.writer.replace).toHaveBeenCalledTimes(1);

      holding(m, doc({ details: { runner: 'hello' } }));
      await expect(
        m.jobs.update(key, request({ details: { runner: 'legacy' } }), actor),
      ).rejects.toMatchObject({ field: 'job.details.runner' });
      expect(m.writer.replace).toHaveBeenCalledTimes(1);
    });

    it('refuses unknown blackout calendars, writing nothing', async () => {
      const m = setup();
      holding(m, doc());
      m.calendars.assertExist.mockRejectedValue(
        new InvalidFieldError('job.blackout_calendars[1]', 'no calendar "nope"'),
      );

      await expect(
        m.jobs.update(key, request({ blackout_calendars: ['holidays', 'nope'] }), actor),
      ).rejects.toBeInstanceOf(InvalidFieldError);
      expect(m.calendars.assertExist).toHaveBeenCalledWith('acct', ['holidays', 'nope']);
      expect(m.writer.replace).not.toHaveBeenCalled();
    });

    it('of a job that does not exist is a JobNotFoundError', async () => {
      const m = setup();
      holding(m);

      await expect(m.jobs.update(key, request(), actor)).rejects.toBeInstanceOf(JobNotFoundError);
    });
  });

  it('delete hands the writer the job as read, or null when it is already gone', async () => {
    const m = setup();
    holding(m, doc());
    await m.jobs.delete(key, actor);
    expect(m.writer.delete).toHaveBeenLastCalledWith(key, doc(), actor);

    holding(m);
    await m.jobs.delete(key, actor);
    expect(m.writer.delete).toHaveBeenLastCalledWith(key, null, actor);
  });

  describe('run', () => {
    it('enqueues a manual occurrence, counts it, audits it and answers its id', async () => {
      const m = setup();
      holding(m, doc({ enabled: false })); // a disabled job can be run by hand

      const { run_id } = await m.jobs.run(key, actor);

      expect(run_id).toMatch(/^acct\/g\/j1@manual-/);
      expect(m.queue.enqueue).toHaveBeenCalledWith([
        {
          id: run_id,
          key: 'acct/g/j1',
          account: 'acct',
          group: 'g',
          jobId: 'j1',
          trigger: 'manual',
          scheduledFor: null,
          enqueuedAt: '2026-01-05T10:00:30.000Z',
        },
      ]);
      expect(m.queueMetrics.scheduled.inc).toHaveBeenCalledWith({ trigger: 'manual' });
      expect(m.auditor.run).toHaveBeenCalledWith(actor, key, run_id);
    });

    it('refuses a job whose runner the account may not use, queueing nothing', async () => {
      const m = setup();
      holding(m, doc({ details: { runner: 'legacy' } }));

      await expect(m.jobs.run(key, actor)).rejects.toMatchObject({ field: 'job.details.runner' });
      expect(m.queue.enqueue).not.toHaveBeenCalled();
    });

    it('a queue shutting down is a 503 saying so, neither counted nor audited', async () => {
      const m = setup();
      holding(m, doc());
      m.queue.enqueue.mockRejectedValue(new QueueClosedError());

      const error = await m.jobs.run(key, actor).catch((e) => e);

      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toBe('minion is shutting down');
      expect(error.retryAfterSeconds).toBe(5);
      expect(m.queueMetrics.scheduled.inc).not.toHaveBeenCalled();
      expect(m.auditor.run).not.toHaveBeenCalled();
    });

    it('a queue that does not answer is a 503 after 3 s, naming the run that may still come', async () => {
      jest.useFakeTimers();
      const m = setup();
      holding(m, doc());
      m.queue.enqueue.mockReturnValue(new Promise(() => undefined));
      let settled = false;
      const running = m.jobs.run(key, actor).finally(() => (settled = true));
      const outcome = running.then(
        () => new Error('answered'),
        (e: Error) => e,
      );

      await jest.advanceTimersByTimeAsync(2999);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);

      const error = await outcome;
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toMatch(
        /^the queue is not available \(the queue: no answer within 3000 ms\); the run acct\/g\/j1@manual-\S+ may still be queued/,
      );
      // Should the queue take it late, the run request is on the audit trail, said unconfirmed.
      expect(m.auditor.run).toHaveBeenCalledWith(
        actor,
        key,
        expect.stringMatching(/^acct\/g\/j1@manual-\S+ \(not confirmed by the queue in time\)$/),
      );
    });

    it('a queue that refuses is not audited as a run', async () => {
      const m = setup();
      holding(m, doc());
      m.queue.enqueue.mockRejectedValue(new Error('ECONNREFUSED'));
      await expect(m.jobs.run(key, actor)).rejects.toThrow(ServiceUnavailableError);
      expect(m.auditor.run).not.toHaveBeenCalled();
    });

    it('any other queue error is a 503 with its message', async () => {
      const m = setup();
      holding(m, doc());
      m.queue.enqueue.mockRejectedValue(new Error('ECONNREFUSED'));

      await expect(m.jobs.run(key, actor)).rejects.toThrow(
        new ServiceUnavailableError('the queue is not available: ECONNREFUSED'),
      );
    });
  });

  describe('upcoming', () => {
    it('lists the next fire times, marking those paused and those blacked out', async () => {
      const m = setup();
      holding(
        m,
        doc({
          schedule_expression: '0 * * * *',
          pause: { until: '2026-01-05T12:00:00Z', reason: 'r', by: 'ops', at: NOW },
          blackout_calendars: ['closures'],
        }),
      );
      m.calendars.blackoutAt.mockImplementation(async (_a, _names, at) =>
        at.toISOString() === '2026-01-05T13:00:00.000Z' ? 'closures' : null,
      );

      const answer = await m.jobs.upcoming(key, 3);

      expect(answer).toEqual({
        timezone: 'UTC',
        schedule_expression: '0 * * * *',
        enabled: true,
        next: [
          {
            utc: '2026-01-05T11:00:00Z',
            local: '2026-01-05T11:00:00+00:00',
            dst: null,
            paused: true,
          },
          { utc: '2026-01-05T12:00:00Z', local: '2026-01-05T12:00:00+00:00', dst: null },
          {
            utc: '2026-01-05T13:00:00Z',
            local: '2026-01-05T13:00:00+00:00',
            dst: null,
            blackout: 'closures',
          },
        ],
      });
      expect(m.calendars.blackoutAt).toHaveBeenCalledWith('acct', ['closures'], expect.any(Date));
    });

    it('reads no calendar for a job without blackout calendars', async () => {
      const m = setup();
      holding(m, doc({ schedule_expression: '0 * * * *' }));

      const answer = await m.jobs.upcoming(key, 2);

      expect(answer.next.map((n) => n.utc)).toEqual([
        '2026-01-05T11:00:00Z',
        '2026-01-05T12:00:00Z',
      ]);
      expect(m.calendars.blackoutAt).not.toHaveBeenCalled();
    });
  });

  describe('listAccount', () => {
    it('without a filter pages the listing without reading any job', async () => {
      const m = setup();
      m.repository.listAccount.mockResolvedValue(['g/a', 'g/b', 'h/c']);

      await expect(m.jobs.listAccount('acct', { limit: 2 })).resolves.toEqual({
        items: ['g/a', 'g/b'],
        more: true,
      });
      expect(m.repository.listAccount).toHaveBeenCalledWith('acct', { limit: 3 });
      expect(m.repository.get).not.toHaveBeenCalled();
    });

    it('with a filter reads each listed job and drops those deleted meanwhile', async () => {
      const m = setup();
      m.repository.listAccount.mockResolvedValue(['g/a', 'g/gone', 'h/b', 'h/off']);
      holding(
        m,
        doc({ group: 'g', id: 'a' }),
        doc({ group: 'h', id: 'b' }),
        doc({ group: 'h', id: 'off', enabled: false }),
      );

      await expect(m.jobs.listAccount('acct', {}, { enabled: true })).resolves.toEqual({
        items: ['g/a', 'h/b'],
        more: false,
      });
      expect(m.repository.get).toHaveBeenCalledWith({ account: 'acct', group: 'g', id: 'gone' });
      expect(m.repository.get).toHaveBeenCalledTimes(4);
    });

    it('once the job cache has loaded, answers from its listing, not the repository', async () => {
      const m = setup();
      const listing = new JobListing();
      listing.replace('acct', ['h/c', 'g/b', 'g/a']);
      (m.cache as { listing: JobListing | null }).listing = listing;

      await expect(m.jobs.listAccount('acct', { limit: 2 })).resolves.toEqual({
        items: ['g/a', 'g/b'],
        more: true,
      });
      await expect(m.jobs.listGroup('acct', 'h')).resolves.toEqual({ items: ['c'], more: false });
      expect(m.repository.listAccount).not.toHaveBeenCalled();
      expect(m.repository.listGroup).not.toHaveBeenCalled();
    });

    it('with a filter, a read error other than a deleted job fails the listing', async () => {
      const m = setup();
      m.repository.listAccount.mockResolvedValue(['g/a']);
      m.repository.get.mockRejectedValue(new ServiceUnavailableError('S3 down'));

      await expect(m.jobs.listAccount('acct', {}, { enabled: true })).rejects.toThrow('S3 down');
    });
  });

  describe('get', () => {
    it("takes tags from the run log for a document without any (the original's)", async () => {
      const m = setup();
      const { tags: _none, ...untagged } = doc();
      holding(m, untagged);
      m.jobLog.tags.mockResolvedValue([{ key: 'from', value: 'log' }]);

      const answer = await m.jobs.get(key);

      expect(answer.tags).toEqual([{ key: 'from', value: 'log' }]);
      expect(answer.log).toBe(logInfo);
    });

    it('answers with no tags when the run log cannot say', async () => {
      const m = setup();
      const { tags: _none, ...untagged } = doc();
      holding(m, untagged);
      m.jobLog.tags.mockRejectedValue(new Error('log down'));

      await expect(m.jobs.get(key)).resolves.toMatchObject({ tags: [], log: logInfo });
    });
  });
});

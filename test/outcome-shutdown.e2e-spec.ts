import { useFakeAws } from './support/fake-aws-hooks';
import { allRuns, BASE, drain } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { deleteKeys, describeWithRedis, redisQueueProvider, uniquePrefix } from './support/redis';
import { createTestApp, removeDir, tempDir, TestApp, testConfig } from './support/test-app';

const INSTANCE = 'i-aaaabbbb11112222';
const JOB = {
  name: 'start-in-the-morning',
  schedule_expression: '0 7 * * MON-FRI',
  enabled: true,
  details: { runner: 'instanceRunner', instance_action: 'start', instance_id: INSTANCE },
};

/**
 * Shutdown while a run waits for its resource's state (issues 14 and 23): the wait ends at once
 * and the run is recorded `interrupted`, neither failed nor succeeded, and never alerted; another
 * attempt settles it (describing first, so a resource that got there is an `already` success, not
 * a second start): with Redis another replica at once, in memory this one after its restart.
 */
describe('a run interrupted while waiting for its target state', () => {
  const fake = useFakeAws();
  let dataDir: string;
  const apps: TestApp[] = [];

  beforeEach(() => {
    dataDir = tempDir('minion-outcome-');
    fake.resources.setInstance(INSTANCE, 'stopped');
    fake.resources.settleAfter = Number.MAX_SAFE_INTEGER; // pending for as long as the test likes
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close().catch(() => undefined)));
    removeDir(dataDir);
  });

  const config = (extra: Record<string, unknown> = {}) =>
    testConfig(dataDir, {
      accounts: { spinup: { runners: ['instanceRunner'], region: 'us-east-1' } },
      jobRunners: {
        instanceRunner: {
          type: 'instance',
          config: { waitTimeout: '10m', waitPollMin: '10ms', waitPollMax: '20ms' },
        },
      },
      ...extra,
    });

  async function start(extra: Record<string, unknown> = {}): Promise<TestApp> {
    const app = await createTestApp({
      dataDir,
      config: config(extra),
      clock: new ManualClock('2026-11-24T06:59:30Z'),
    });
    apps.push(app);
    return app;
  }

  /** Creates the job and runs it now; resolves once its wait has described the instance. */
  async function runUntilWaiting(app: TestApp): Promise<string> {
    const created = await app.authed.post(`${BASE}/spinup/jobs/g`).send({ job: JOB }).expect(200);
    await app.authed.patch(`${BASE}/spinup/jobs/g/${created.body.job.id}`).expect(202);
    await waitFor(() => {
      const actions = fake.requests.map((r) => r.action);
      const started = actions.indexOf('StartInstances');
      return (
        started >= 0 && actions.slice(started).filter((a) => a === 'DescribeInstances').length >= 2
      );
    });
    return created.body.job.id;
  }

  it('in-memory: shutdown ends the wait at once, recorded interrupted; the restart settles it', async () => {
    const app = await start();
    const id = await runUntilWaiting(app);
    const closing = Date.now();
    await app.close();
    // Well under the 10m wait limit and the 30s shutdown timeout: the wait did not hold shutdown.
    expect(Date.now() - closing).toBeLessThan(10_000);
    // The instance gets there while minion is away.
    fake.resources.setInstance(INSTANCE, 'running');
    const reopened = await start();
    await waitFor(async () => (await allRuns(reopened, id, 'spinup', 'g')).length === 2);
    await drain(reopened);
    const runs = await allRuns(reopened, id, 'spinup', 'g');
    expect(runs.map((r) => [r.attempt, r.status, r.outcome?.result])).toEqual([
      [1, 'interrupted', 'interrupted'],
      [2, 'succeeded', 'already'],
    ]);
    expect(fake.requests.filter((r) => r.action === 'StartInstances')).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'interrupted',
      will_retry: true,
      outcome: {
        result: 'interrupted',
        resource: `instance ${INSTANCE}`,
        target: 'running',
        before: 'stopped',
        state: 'pending',
        detail: 'minion is shutting down',
      },
    });
    expect(runs[0].error).toBe(
      `stopped waiting for instance ${INSTANCE} to reach running (last seen: pending): minion is shutting down; the action was taken; the next attempt checks what it reached`,
    );
  });

  describeWithRedis('with Redis', () => {
    let prefix: string;
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((a) => a.close().catch(() => undefined)));
      await deleteKeys(prefix);
    });

    it('a replica shutting down mid-wait: the retry on another replica finds the instance running, with no second start', async () => {
      const redis = {
        queueProvider: redisQueueProvider(prefix),
        scheduler: { retryDelay: '10ms' },
      };
      const first = await start(redis);
      const id = await runUntilWaiting(first);
      const second = await start(redis);
      // The instance gets there while the first replica goes away.
      fake.resources.setInstance(INSTANCE, 'running');
      await first.close();
      await waitFor(async () => (await allRuns(second, id, 'spinup', 'g')).length === 2);
      await drain(second);
      const runs = await allRuns(second, id, 'spinup', 'g');
      expect(runs.map((r) => [r.attempt, r.status, r.outcome?.result])).toEqual([
        [1, 'interrupted', 'interrupted'],
        [2, 'succeeded', 'already'],
      ]);
      expect(runs[0].will_retry).toBe(true);
      expect(runs[1].replica).not.toBe(undefined);
      expect(fake.requests.filter((r) => r.action === 'StartInstances')).toHaveLength(1);
    });
  });
});

import { spinupConfig, useFakeAws } from './support/fake-aws-hooks';
import { drain } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const BASE = '/v1/minion/spinup/jobs';

interface Step {
  step: number;
  job: string;
  status: string;
  run_id: string;
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  error?: string;
}

/**
 * Ordered sequences (issue 21), through the API against the stateful fake AWS: a stack started
 * in order, each step only after the previous one was verified in its target state.
 */
describe('sequences: a stack in order, each step after the previous one is verified', () => {
  const fake = useFakeAws();
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({
      clock: new ManualClock('2026-12-07T06:00:00Z'),
      config: {
        ...spinupConfig(['instanceRunner', 'databaseRunner', 'serviceRunner', 'stackRunner']),
        scheduler: { retryDelay: '10ms', attempts: 2 },
      },
    });
    fake.reset();
  });

  afterEach(() => stopTestApp(t));

  async function create(
    group: string,
    name: string,
    details: Record<string, string>,
    enabled = true,
  ) {
    const res = await t.authed
      .post(`${BASE}/${group}`)
      .send({ job: { name, schedule_expression: '0 7 * * MON-FRI', enabled, details } })
      .expect(200);
    return `${group}/${res.body.job.id}`;
  }

  /** The three jobs a team already has, and a start-stack sequence of them. */
  async function stack(onFailure?: string, service = 'api') {
    const db = await create('stack', 'start-db', {
      runner: 'databaseRunner',
      database_action: 'start',
      instance_id: 'stack-db',
    });
    const web = await create('stack', 'start-web', {
      runner: 'instanceRunner',
      instance_action: 'start',
      tag_selector: 'Stack=shop',
    });
    const svc = await create('stack', 'scale-api', {
      runner: 'serviceRunner',
      service_action: 'scale',
      service_cluster: 'shop',
      service_name: service,
      desired_count: '2',
    });
    const seq = await create('stacks', 'start-stack', {
      runner: 'stackRunner',
      steps: [db, web, svc].join(','),
      ...(onFailure ? { on_failure: onFailure } : {}),
    });
    return { db, web, svc, seq };
  }

  async function run(job: string) {
    await t.authed.patch(`${BASE}/${job}`).expect(202);
    await drain(t);
    const runs = await t.authed.get(`${BASE}/${job}/runs?limit=5`).expect(200);
    return runs.body;
  }

  it('a slow database: the instances start only after it is available, the service after them', async () => {
    fake.resources.setDatabase('stack-db', 'stopped');
    fake.resources.settleFor.set('rds:StartDBInstance', 8); // longer than usual
    fake.resources.addInstances(3, { tags: { Stack: 'shop' }, state: 'stopped' });
    const [api] = fake.resources.addServices(1, { cluster: 'shop', desired: 0 });
    const { db, web, svc, seq } = await stack(undefined, api);

    const [record] = await run(seq);
    expect(record.status).toBe('succeeded');
    const steps: Step[] = record.steps;
    expect(steps.map((s) => [s.step, s.job, s.status])).toEqual([
      [1, db, 'succeeded'],
      [2, web, 'succeeded'],
      [3, svc, 'succeeded'],
    ]);
    // On the wire: the database was described available before any instance was started, and
    // every instance reached running before the service was scaled.
    const order = fake.requests.map(
      (r) => `${r.action}${r.action === 'DescribeDBInstances' ? '' : ''}`,
    );
    const firstStart = order.indexOf('StartInstances');
    const dbDescribes = fake.requests
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.action === 'DescribeDBInstances');
    expect(dbDescribes.length).toBeGreaterThanOrEqual(8);
    expect(dbDescribes.at(-1)!.i).toBeLessThan(firstStart);
    expect(order.indexOf('UpdateService')).toBeGreaterThan(order.lastIndexOf('StartInstances'));
    // Each step's own history has its record, linked to the sequence's run.
    const dbRuns = (await t.authed.get(`${BASE}/${db}/runs`).expect(200)).body;
    expect(dbRuns[0]).toMatchObject({
      run_id: steps[0].run_id,
      trigger: 'sequence',
      status: 'succeeded',
      sequence: { run_id: record.run_id, step: 1 },
      outcome: { result: 'reached', state: 'available' },
    });
    const webRuns = (await t.authed.get(`${BASE}/${web}/runs`).expect(200)).body;
    expect(webRuns[0]).toMatchObject({ fleet: { matched: 3, reached: 3 }, sequence: { step: 2 } });
    expect(Date.parse(webRuns[0].started_at)).toBeGreaterThanOrEqual(
      Date.parse(dbRuns[0].outcome.reached_at),
    );
    expect(record.output).toMatch(/step 1 stack\/\S+: succeeded in \d+ ms/);
  });

  /** The stack's resources: the database there already, the web instance refused (403), the api service. */
  function stackWithRefusedWebStep(): string {
    fake.resources.setDatabase('stack-db', 'available');
    const [instance] = fake.resources.addInstances(1, {
      tags: { Stack: 'shop' },
      state: 'stopped',
    });
    fake.resources.failAction('ec2:StartInstances', instance, 'UnauthorizedOperation', {
      status: 403,
    });
    return fake.resources.addServices(1, { cluster: 'shop', desired: 0 })[0];
  }

  it('a failing middle step stops the sequence; the steps after it are recorded not run', async () => {
    const api = stackWithRefusedWebStep();
    const { web, svc, seq } = await stack(undefined, api);

    const [second, first] = await run(seq);
    for (const record of [first, second]) {
      expect(record.status).toBe('failed');
      expect(record.error).toMatch(
        new RegExp(
          `^step 2 \\(${web.replace('/', '\\/')}\\) failed: .*UnauthorizedOperation.*; the steps after it were not run`,
        ),
      );
      expect(record.steps[0].status).toBe('succeeded');
      expect(record.steps[2]).toMatchObject({
        step: 3,
        job: svc,
        status: 'not run',
        error: `step 2 (${web}) failed`,
      });
    }
    expect(fake.requests.some((r) => r.action === 'UpdateService')).toBe(false);
    // The retry of the sequence does not run its finished first step again.
    expect(fake.requests.filter((r) => r.action === 'StartDBInstance')).toHaveLength(0);
  });

  it('on_failure continue: the steps after a failure still run', async () => {
    const api = stackWithRefusedWebStep();
    const { seq } = await stack('continue', api);
    const [record] = await run(seq);
    expect(record.steps.map((s: Step) => s.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(record.status).toBe('failed');
  });

  it('steps are checked when the sequence is saved, naming job.details.steps', async () => {
    const { db, seq } = await stack();
    const bad = async (steps: string, message: RegExp, group = 'stacks') => {
      const res = await t.authed
        .post(`${BASE}/${group}`)
        .send({
          job: {
            name: 'bad',
            schedule_expression: '0 7 * * *',
            enabled: true,
            details: { runner: 'stackRunner', steps },
          },
        })
        .expect(400);
      expect(res.body.message).toMatch(message);
    };
    await bad(
      'stack/nope',
      /^job\.details\.steps: step 1 \(stack\/nope\) is not a job of account spinup/,
    );
    await bad('not a ref', /^job\.details\.steps: step 1 "not a ref" is not <group>\/<id>/);
    // A sequence naming a sequence that names it back.
    const outer = await create('stacks', 'outer', { runner: 'stackRunner', steps: seq });
    const res = await t.authed
      .put(`${BASE}/${seq}`)
      .send({
        job: {
          name: 'start-stack',
          schedule_expression: '0 7 * * *',
          enabled: true,
          details: { runner: 'stackRunner', steps: `${db},${outer}` },
        },
      })
      .expect(400);
    expect(res.body.message).toMatch(
      /^job\.details\.steps: step 2 \(stacks\/\S+\) runs this sequence again/,
    );
  });

  it('a key may build a sequence only from jobs it may run', async () => {
    await stopTestApp(t);
    t = await startTestApp({
      config: {
        accounts: { spinup: { runners: ['dummyRunner', 'stackRunner'] } },
        jobRunners: { dummyRunner: { type: 'dummy' }, stackRunner: { type: 'sequence' } },
        apiKeys: [
          {
            name: 'team',
            token: 'team-secret-0123456789',
            accounts: ['spinup'],
            groups: ['team'],
            access: 'write',
          },
        ],
      },
    });
    const other = await create('other', 'hello', { runner: 'dummyRunner' });
    const res = await t.http
      .post(`${BASE}/team`)
      .set('X-Auth-Token', 'team-secret-0123456789')
      .send({
        job: {
          name: 's',
          schedule_expression: '0 7 * * *',
          enabled: true,
          details: { runner: 'stackRunner', steps: other },
        },
      })
      .expect(400);
    expect(res.body.message).toMatch(
      /step 1 \(other\/\S+\): key "team" may not run jobs of group other/,
    );
  });

  it('deleting a job an enabled sequence runs is refused (409 naming the sequence)', async () => {
    const { web, seq } = await stack();
    const res = await t.authed.delete(`${BASE}/${web}`).expect(409);
    expect(res.body.message).toContain(`${seq} (start-stack)`);
    await t.authed.delete(`${BASE}/stack`).expect(409); // the whole group too
    // Disabled, the sequence no longer holds it.
    const current = (await t.authed.get(`${BASE}/${seq}`).expect(200)).body;
    await t.authed
      .put(`${BASE}/${seq}`)
      .send({ job: { ...current.job, enabled: false } })
      .expect(202);
    await t.authed.delete(`${BASE}/${web}`).expect(202);
  });

  it('a dry run walks every step and states the worst-case time', async () => {
    fake.resources.setDatabase('stack-db', 'stopped');
    fake.resources.addInstances(2, { tags: { Stack: 'shop' } });
    const [api] = fake.resources.addServices(1, { cluster: 'shop', desired: 0 });
    const { db, web, svc, seq } = await stack(undefined, api);
    const res = await t.authed.post(`${BASE}/${seq}/dry-run`).expect(200);
    expect(
      res.body.steps.map((s: { step: number; job: string; type: string }) => [
        s.step,
        s.job,
        s.type,
      ]),
    ).toEqual([
      [1, db, 'database'],
      [2, web, 'instance'],
      [3, svc, 'service'],
    ]);
    expect(res.body.steps[1].fleet).toMatchObject({ matched: 2 });
    const sum = res.body.steps.reduce(
      (n: number, s: { worst_case_ms: number }) => n + s.worst_case_ms,
      0,
    );
    expect(res.body.worst_case_ms).toBe(sum);
    // 2 attempts x (5 min run timeout + 5 s to answer it + 20 s wait, FAST_WAIT) + 10 ms
    // between them, per step.
    expect(res.body.steps[0].worst_case_ms).toBe(2 * (300_000 + 5_000 + 20_000) + 10);
    expect(
      fake.requests.some(
        (r) => /^(Start|Stop|Update)/.test(r.action) && r.params.DryRun !== 'true',
      ),
    ).toBe(false);
  });

  it('the schedule view shows the steps, and a conflict with a job acting on a step resource', async () => {
    const { seq } = await stack();
    const stop = await create('ops', 'stop-db', {
      runner: 'databaseRunner',
      database_action: 'stop',
      instance_id: 'stack-db',
    });
    const res = await t.authed
      .get('/v1/minion/spinup/schedule?from=2026-12-07T06:00:00Z&to=2026-12-07T08:00:00Z')
      .expect(200);
    const entry = res.body.find((e: { job: string }) => e.job === seq);
    expect(entry.steps).toHaveLength(3);
    expect(entry.conflicts).toContain(`${stop}@2026-12-07T07:00:00Z`);
  });

  it('shutdown during a step: the sequence is recorded as interrupted at that step, not failed', async () => {
    fake.resources.setDatabase('stack-db', 'stopped');
    fake.resources.settleFor.set('rds:StartDBInstance', 100_000); // never available
    const { seq } = await stack();
    await t.authed.patch(`${BASE}/${seq}`).expect(202);
    await waitFor(() => fake.requests.some((r) => r.action === 'StartDBInstance'), 20_000);
    await t.close();
    const { SqliteJobLog } = await import('../src/job-log/sqlite-job-log');
    const log = new SqliteJobLog(`${t.dataDir}/.runs`, 'test', 1000);
    const [group, id] = seq.split('/');
    const [record] = await log.list({ account: 'spinup', group, id }, 5);
    await log.onApplicationShutdown();
    // Neither failed nor succeeded, and never alerted: the restart settles it (resuming at step 1).
    expect(record.status).toBe('interrupted');
    expect(record.will_retry).toBe(true);
    expect(record.error).toMatch(
      /^interrupted at step 1 \(stack\/\S+\).*; the next attempt resumes there$/,
    );
    expect(record.steps?.map((s) => s.status)).toEqual(['interrupted', 'not run', 'not run']);
    expect(record.steps?.[1].error).toBe('the sequence was interrupted at step 1');
    await stopTestApp({ ...t, close: async () => undefined });
    t = undefined as unknown as TestApp;
  });
});

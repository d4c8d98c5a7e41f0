import { spinupConfig, useFakeAws } from './support/fake-aws-hooks';
import { drain } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const BASE = '/v1/minion/spinup/jobs';
const SELECTOR = 'Schedule=office-hours';

/**
 * Fleets (issue 20), through the API against the stateful fake AWS: a job naming its resources
 * by tag acts on whatever carries the tags at its minute, each resource's outcome recorded, one
 * failure never stopping the rest.
 */
describe('fleets: every resource carrying a tag', () => {
  const fake = useFakeAws();
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({
      clock: new ManualClock('2026-12-07T17:00:00Z'),
      config: spinupConfig([
        'instanceRunner',
        'databaseRunner',
        'serviceRunner',
        'autoScalingRunner',
      ]),
    });
    fake.reset();
  });

  afterEach(() => stopTestApp(t));

  async function create(details: Record<string, string>, schedule = '0 19 * * MON-FRI') {
    const res = await t.authed
      .post(`${BASE}/office`)
      .send({ job: { name: 'fleet', schedule_expression: schedule, enabled: true, details } })
      .expect(200);
    return res.body.job.id as string;
  }

  async function runNow(id: string) {
    await t.authed.patch(`${BASE}/office/${id}`).expect(202);
    await drain(t);
    return (await t.authed.get(`${BASE}/office/${id}/runs?limit=10`).expect(200)).body;
  }

  const stopFleet = (extra: Record<string, string> = {}) => ({
    runner: 'instanceRunner',
    instance_action: 'stop',
    tag_selector: SELECTOR,
    ...extra,
  });

  it('1,000 tagged instances, one snoozed by its tag: the dry run shows the set, the run stops 999 in batches and records each', async () => {
    const ids = fake.resources.addInstances(1000, { tags: { Schedule: 'office-hours' } });
    fake.resources.addInstances(50, { tags: { Schedule: 'always-on' } });
    fake.resources.tag('instance', ids[7], { 'minion:skip': '2026-12-11T18:00:00Z' });
    const id = await create(stopFleet());

    const dry = await t.authed.post(`${BASE}/office/${id}/dry-run`).expect(200);
    expect(dry.body.fleet).toMatchObject({
      selector: SELECTOR,
      matched: 1000,
      acting: 999,
      skipped: 1,
      skipped_ids: [{ id: ids[7], reason: 'tag minion:skip until 2026-12-11T18:00:00Z' }],
      already: 0,
      limit: 1000,
      refused: false,
    });
    expect(dry.body.fleet.ids).toHaveLength(100);
    expect(dry.body.would).toBe(
      '1000 instance(s) match Schedule=office-hours: 999 would stop, 1 skipped (skip tag)',
    );
    expect(dry.body.acts_on).toEqual({ resource: `instance:tag:${SELECTOR}`, action: 'stop' });
    expect(fake.counts.get('ec2:StopInstances') ?? 0).toBe(1); // the DryRun check only

    fake.counts.clear();
    const [run] = await runNow(id);
    expect(run.status).toBe('succeeded');
    expect(run.fleet).toEqual({
      selector: SELECTOR,
      target: 'stopped',
      matched: 1000,
      skipped: 1,
      already: 0,
      acted: 999,
      reached: 999,
      missed: 0,
    });
    expect(run.resources).toHaveLength(1000);
    const byId = new Map(run.resources.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(ids[7])).toEqual({
      id: ids[7],
      result: 'skipped',
      before: 'running',
      detail: 'tag minion:skip until 2026-12-11T18:00:00Z',
    });
    expect(byId.get(ids[0])).toEqual({
      id: ids[0],
      result: 'reached',
      before: 'running',
      state: 'stopped',
      reached_at: expect.any(String),
      ms: expect.any(Number),
    });
    // Batched: 999 instances in 20 calls of up to 50, not one call per instance.
    expect(fake.counts.get('ec2:StopInstances')).toBe(20);
    expect(fake.resources.instances.get(ids[7])?.state).toBe('running');
    expect(fake.resources.instances.get(ids[999])?.state).toBe('stopped');
    expect(run.output).toContain(
      '999 of 999 instance(s) matching Schedule=office-hours are stopped; 1 skipped (skip tag)',
    );
  });

  it('one instance failing (InsufficientInstanceCapacity) never stops the others; the retry acts on it alone', async () => {
    const ids = fake.resources.addInstances(10, {
      tags: { Schedule: 'office-hours' },
      state: 'stopped',
    });
    // A 500: the SDK retries it 5 times a call. The batch's 5 and the lone call's 5 fail; the
    // run's retry (the queue's second attempt) finds capacity again.
    fake.resources.failAction('ec2:StartInstances', ids[4], 'InsufficientInstanceCapacity', {
      times: 10,
    });
    const id = await create({ ...stopFleet(), instance_action: 'start' });
    const runs = await runNow(id);
    const [second, first] = runs;
    expect(first).toMatchObject({
      attempt: 1,
      status: 'failed',
      will_retry: true,
      fleet: { matched: 10, reached: 9, missed: 1 },
    });
    expect(first.error).toMatch(
      new RegExp(
        `9 of 10 instance\\(s\\).*1 did not: ${ids[4]} \\(failed: .*InsufficientInstanceCapacity`,
      ),
    );
    expect(first.resources.find((r: { id: string }) => r.id === ids[4])).toMatchObject({
      result: 'failed',
      detail: expect.stringContaining('InsufficientInstanceCapacity'),
    });
    // The retry resolves the tag again: the nine running are already there, only one is started.
    expect(second).toMatchObject({
      attempt: 2,
      status: 'succeeded',
      fleet: { matched: 10, already: 9, acted: 1, reached: 1 },
    });
    const starts = fake.requests.filter((r) => r.action === 'StartInstances');
    expect(starts.at(-1)?.params).toMatchObject({ 'InstanceId.1': ids[4] });
    expect(starts.at(-1)?.params['InstanceId.2']).toBeUndefined();
  });

  it('a selector matching more than max_resources acts on none and says why; matching nothing is skipped', async () => {
    fake.resources.addInstances(6, { tags: { Schedule: 'office-hours' } });
    const tooWide = await create(stopFleet({ max_resources: '5' }));
    const [refused] = await runNow(tooWide);
    expect(refused).toMatchObject({ status: 'failed', will_retry: false });
    expect(refused.error).toMatch(/matched 6 instances, more than the limit of 5.*acted on none/);
    expect(fake.counts.get('ec2:StopInstances') ?? 0).toBe(0);

    const none = await create(stopFleet({ tag_selector: 'Schedule=nobody' }));
    const [skipped] = await runNow(none);
    expect(skipped).toMatchObject({
      status: 'skipped',
      error: 'the tag selector Schedule=nobody matched no instance',
    });
  });

  it("EC2's request-rate buckets: throttled calls are retried, never a resource's failure", async () => {
    fake.rateLimits = true;
    fake.rateBuckets.table['ec2:StopInstances'].request.capacity = 2;
    fake.rateBuckets.table['ec2:StopInstances'].request.refillPerSecond = 20;
    fake.resources.addInstances(250, { tags: { Schedule: 'office-hours' } });
    const id = await create(stopFleet());
    const [run] = await runNow(id);
    expect(run).toMatchObject({ status: 'succeeded', fleet: { reached: 250, missed: 0 } });
    expect(fake.throttled).toBeGreaterThan(0);
  }, 60_000);

  it('details are checked at create time, naming the detail', async () => {
    const bad = async (details: Record<string, string>, message: RegExp) => {
      const res = await t.authed
        .post(`${BASE}/office`)
        .send({ job: { name: 'x', schedule_expression: '0 19 * * *', enabled: true, details } })
        .expect(400);
      expect(res.body.message).toMatch(message);
    };
    await bad(
      stopFleet({ instance_id: 'i-0123456789abcdef0' }),
      /^job\.details\.tag_selector: give either instance_id .* or tag_selector/,
    );
    await bad(
      stopFleet({ tag_selector: 'Schedule' }),
      /^job\.details\.tag_selector: .*not key=value/,
    );
    await bad(stopFleet({ max_resources: '0' }), /^job\.details\.max_resources: /);
    await bad(
      {
        runner: 'instanceRunner',
        instance_action: 'stop',
        instance_id: 'i-0123456789abcdef0',
        max_resources: '5',
      },
      /^job\.details\.max_resources: applies to a tag_selector only/,
    );
  });

  it('the schedule view flags a fleet and a job naming one of its instances, acting differently', async () => {
    const ids = fake.resources.addInstances(3, { tags: { Schedule: 'office-hours' } });
    const fleet = await create(stopFleet(), '0 19 * * *');
    const single = await create(
      { runner: 'instanceRunner', instance_action: 'start', instance_id: ids[1] },
      '58 18 * * *',
    );
    const window = 'from=2026-12-07T18:00:00Z&to=2026-12-07T20:00:00Z';
    const before = await t.authed.get(`/v1/minion/spinup/schedule?${window}`).expect(200);
    // Before the fleet ever ran or was dry-run, nobody knows what its tags match.
    expect(
      before.body.find((e: { job: string }) => e.job === `office/${single}`).conflicts,
    ).toBeUndefined();

    await t.authed.post(`${BASE}/office/${fleet}/dry-run`).expect(200);
    const after = await t.authed.get(`/v1/minion/spinup/schedule?${window}`).expect(200);
    const entry = (job: string) =>
      after.body.find((e: { job: string }) => e.job === `office/${job}`);
    expect(entry(fleet)).toMatchObject({
      resource: `instance:tag:${SELECTOR}`,
      action: 'stop',
      conflicts: [`office/${single}@2026-12-07T18:58:00Z`],
    });
    expect(entry(single).conflicts).toEqual([`office/${fleet}@2026-12-07T19:00:00Z`]);
  });

  it('RDS: databases and Aurora clusters by tag (through the tagging API), an Aurora member left to its cluster', async () => {
    const dbs = fake.resources.addDatabases(3, { tags: { Env: 'dev' } });
    const clusters = fake.resources.addClusters(1, { tags: { Env: 'dev' } });
    const id = await create({
      runner: 'databaseRunner',
      database_action: 'stop',
      tag_selector: 'Env=dev',
    });
    const [run] = await runNow(id);
    expect(run).toMatchObject({
      status: 'succeeded',
      fleet: { matched: 4, reached: 4, missed: 0 },
    });
    expect(run.resources.map((r: { id: string }) => r.id).sort()).toEqual(
      [...dbs, ...clusters].sort(),
    );
    expect(fake.counts.get('tagging:GetResources')).toBeGreaterThanOrEqual(1);
  });

  it('Auto Scaling: every tagged group scaled, each recorded', async () => {
    const groups = fake.resources.addGroups(4, { tags: { Env: 'dev' }, desired: 2 });
    const id = await create({
      runner: 'autoScalingRunner',
      autoscaling_action: 'scale',
      desired_capacity: '0',
      tag_selector: 'Env=dev',
    });
    const [run] = await runNow(id);
    expect(run).toMatchObject({ status: 'succeeded', fleet: { matched: 4, reached: 4 } });
    expect(fake.counts.get('autoscaling:UpdateAutoScalingGroup')).toBe(4);
    expect(run.resources.map((r: { id: string }) => r.id).sort()).toEqual([...groups].sort());
  });

  it('ECS: every tagged service of the cluster scaled', async () => {
    fake.resources.addServices(3, { cluster: 'dev', tags: { Env: 'dev' }, desired: 1 });
    fake.resources.addServices(2, { cluster: 'prod', tags: { Env: 'dev' }, desired: 1 });
    const id = await create({
      runner: 'serviceRunner',
      service_action: 'scale',
      desired_count: '0',
      service_cluster: 'dev',
      tag_selector: 'Env=dev',
    });
    const [run] = await runNow(id);
    expect(run).toMatchObject({ status: 'succeeded', fleet: { matched: 3, reached: 3 } });
    expect(fake.counts.get('ecs:UpdateService')).toBe(3);
  });
});

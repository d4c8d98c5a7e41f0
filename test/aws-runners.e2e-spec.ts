import { RUNNER_EXAMPLES } from '../src/jobs/jobs.examples';
import { drain } from './support/jobs-helpers';
import { spinupConfig, useFakeAws } from './support/fake-aws-hooks';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const BASE = '/v1/minion';

/** The example jobs of the original README, verbatim (the database one is already a request body). */
const SEED = {
  instance: {
    description: 'Start my server',
    details: {
      instance_action: 'start',
      instance_id: 'i-aaaabbbb11112222',
      runner: 'instanceRunner',
    },
    group: 'space-xy',
    id: '7cf7433f-f6c2-496e-8fe9-ed4776d130c1',
    modified_at: '2020-02-28T18:14:26Z',
    modified_by: 'someone',
    name: 'start-spinaaaabbbb11112222',
    schedule_expression: '* * * ? *',
    enabled: true,
  },
  database: {
    job: {
      description: 'Stop database',
      details: {
        runner: 'databaseRunner',
        database_action: 'stop',
        instance_id: 'spintst-db000b36',
      },
      group: 'test_rds',
      modified_by: 'someone',
      name: 'stop-tst',
      schedule_expression: '* * * * *',
      enabled: true,
    },
  },
  service: {
    description: 'Scale service to zero',
    details: {
      service_action: 'scale',
      service_cluster: 'spindev-cluster-123',
      service_name: 'spindev-svc-123',
      desired_count: '0',
      runner: 'serviceRunner',
    },
    id: 'd7e88fea-5a43-4a08-a5e9-c9b19baebefd',
    modified_at: '2020-02-28T18:14:26Z',
    modified_by: 'someone',
    name: 'service-scale-job-test',
    schedule_expression: '00 18 * * *',
    enabled: true,
  },
  task: {
    description: 'Run 3 tasks from a taskdef',
    details: {
      task_action: 'run',
      task_cluster: 'spindev-cluster-123',
      task_name: 'spindev-svc-123',
      count: '0',
      runner: 'taskRunner',
    },
    id: 'a8d4d056-fbfe-4d7d-beb4-a64780c6d98c',
    modified_at: '2021-10-28T18:14:26Z',
    modified_by: 'someone_else',
    name: 'task-run-job-test',
    schedule_expression: '00 18 * * *',
    enabled: true,
  },
};

describe('AWS runners end to end (API -> queue -> runner -> fake AWS -> run history)', () => {
  const fake = useFakeAws();
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({
      config: spinupConfig([
        'dummyRunner',
        'instanceRunner',
        'databaseRunner',
        'serviceRunner',
        'taskRunner',
        'autoScalingRunner',
      ]),
    });
    fake.reset();
  });

  afterEach(() => stopTestApp(t));

  async function createRunAndRead(group: string, body: object) {
    const created = await t.authed.post(`${BASE}/spinup/jobs/${group}`).send(body).expect(200);
    const id = created.body.job.id;
    const { body: accepted } = await t.authed
      .patch(`${BASE}/spinup/jobs/${group}/${id}`)
      .expect(202);
    await drain(t);
    const runs = await t.authed.get(`${BASE}/spinup/jobs/${group}/${id}/runs`).expect(200);
    expect(runs.body[0].run_id).toBe(accepted.run_id);
    return runs.body;
  }

  it('instance example: starts the instance and records that it reached running (outcome in /runs)', async () => {
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    const runs = await createRunAndRead('space-xy', { job: SEED.instance });
    expect(runs).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        runner: 'instanceRunner',
        output: 'start i-aaaabbbb11112222: stopped -> pending',
        request_id: expect.stringMatching(/^req-ec2-/),
        outcome: {
          result: 'reached',
          resource: 'instance i-aaaabbbb11112222',
          target: 'running',
          before: 'stopped',
          state: 'running',
          reached_at: expect.any(String),
          waited_ms: expect.any(Number),
        },
      }),
    ]);
    // Described before, acted, then the SDK waiter described until running.
    expect(fake.requests.map((r) => r.action)).toEqual([
      'DescribeInstances',
      'StartInstances',
      'DescribeInstances',
      'DescribeInstances',
    ]);
  });

  it('an instance already running: success that says so, no StartInstances', async () => {
    const runs = await createRunAndRead('space-xy', { job: SEED.instance });
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      output: 'start i-aaaabbbb11112222: already running',
      outcome: { result: 'already', before: 'running', state: 'running', waited_ms: 0 },
    });
    expect(fake.requests.map((r) => r.action)).toEqual(['DescribeInstances']);
  });

  it('a start the instance does not keep (it goes stopping) fails saying where it went, and is retried', async () => {
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    fake.resources.endIn.set('ec2:StartInstances', 'stopping');
    const runs = await createRunAndRead('space-xy', { job: SEED.instance });
    const first = runs.find((r: { attempt: number }) => r.attempt === 1);
    expect(first).toMatchObject({
      status: 'failed',
      will_retry: true,
      error: 'instance i-aaaabbbb11112222 went to stopping instead of running',
      outcome: { result: 'elsewhere', before: 'stopped', target: 'running', state: 'stopping' },
    });
    expect(runs.every((r: { status: string }) => r.status === 'failed')).toBe(true);
  });

  it('wait "false": the call is recorded as not waited for, no describe after it', async () => {
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    const job = { ...SEED.instance, details: { ...SEED.instance.details, wait: 'false' } };
    const runs = await createRunAndRead('space-xy', { job });
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      outcome: { result: 'not waited', target: 'running', before: 'stopped', state: null },
    });
    expect(fake.requests.map((r) => r.action)).toEqual(['DescribeInstances', 'StartInstances']);
  });

  it('wait details are validated at create time, naming the field', async () => {
    for (const [details, field] of [
      [{ wait: 'maybe' }, 'job.details.wait'],
      [{ wait_timeout: '10 minutes' }, 'job.details.wait_timeout'],
      [{ wait_timeout: '7h' }, 'job.details.wait_timeout'],
    ] as const) {
      const res = await t.authed
        .post(`${BASE}/spinup/jobs/space-xy`)
        .send({ job: { ...SEED.instance, details: { ...SEED.instance.details, ...details } } })
        .expect(400);
      expect(res.body.message).toContain(field);
    }
  });

  it('database example: stops the database', async () => {
    const runs = await createRunAndRead('test_rds', SEED.database);
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      output: 'stop instance spintst-db000b36: available -> stopping',
      outcome: { result: 'reached', before: 'available', state: 'stopped' },
    });
    expect(runs[0].request_id).toMatch(/^req-rds-/);
  });

  it('service example: scales the service to zero', async () => {
    const runs = await createRunAndRead('space-xy', { job: SEED.service });
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      output: 'scaled spindev-cluster-123/spindev-svc-123 to 0 (running 2, pending 0)',
      outcome: {
        result: 'reached',
        target: '0 running',
        state: expect.stringMatching(/^0 running of 0/),
      },
    });
  });

  it('autoscaling (README and Swagger example): scales the group to 0 with its minimum, over the wire', async () => {
    const { job } = RUNNER_EXAMPLES.autoscaling.value;
    const refused = await t.authed
      .post(`${BASE}/spinup/jobs/asg`)
      .send({ job: { ...job, details: { ...job.details, min_size: '2' } } })
      .expect(400);
    expect(refused.body.message).toContain('job.details.min_size');
    const runs = await createRunAndRead('asg', { job });
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      output: 'scaled web-asg to 0 (min 0)',
      outcome: {
        result: 'reached',
        target: '0 in service',
        before: expect.stringMatching(/^2 in service/),
      },
    });
    expect(runs[0].request_id).toMatch(/^req-autoscaling-/);
    const call = fake.requests.find((r) => r.action === 'UpdateAutoScalingGroup');
    expect(call?.params).toMatchObject({
      AutoScalingGroupName: 'web-asg',
      DesiredCapacity: '0',
      MinSize: '0',
    });
    expect(call?.params.MaxSize).toBeUndefined();
  });

  it('dry run of a saved job: describes, checks with EC2 DryRun, acts on nothing, records nothing', async () => {
    const job = {
      ...SEED.instance,
      details: { ...SEED.instance.details, instance_action: 'stop' },
    };
    const created = await t.authed.post(`${BASE}/spinup/jobs/space-xy`).send({ job }).expect(200);
    const id = created.body.job.id;
    fake.reset();
    const { body } = await t.authed.post(`${BASE}/spinup/jobs/space-xy/${id}/dry-run`).expect(200);
    expect(body).toEqual({
      runner: 'instanceRunner',
      type: 'instance',
      acts_on: { resource: 'instance:i-aaaabbbb11112222', action: 'stop' },
      // 3 attempts x (5 min run timeout + 20 s wait) + 10 ms between them.
      worst_case_ms: 3 * (300_000 + 5_000 + 20_000) + 2 * 10, // + the 5 s answer grace
      state: 'running',
      would: 'i-aaaabbbb11112222 is running; stop would stop it',
      checks: [
        { permission: 'ec2:DescribeInstances', result: 'allowed' },
        { permission: 'ec2:StopInstances', result: 'allowed' },
      ],
    });
    // Only the describe and the dry-run call reached AWS; nothing was run or recorded.
    expect(fake.requests.map((r) => `${r.action}:${r.params.DryRun ?? '-'}`)).toEqual([
      'DescribeInstances:-',
      'StopInstances:true',
    ]);
    await drain(t);
    const runs = await t.authed.get(`${BASE}/spinup/jobs/space-xy/${id}/runs`).expect(200);
    expect(runs.body).toEqual([]);
  });

  it('dry run of an unsaved body: validated as a create, a denied permission named with the role', async () => {
    fake.on('ec2:StartInstances', () => ({
      status: 403,
      body: '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>',
    }));
    const { body } = await t.authed
      .post(`${BASE}/spinup/jobs/space-xy/dry-run`)
      .send({ job: SEED.instance })
      .expect(200);
    expect(body.would).toBe(
      'i-aaaabbbb11112222 is running; start would change nothing (already running)',
    );
    expect(body.checks[1]).toMatchObject({ permission: 'ec2:StartInstances', result: 'denied' });
    expect(body.checks[1].detail).toContain('account "spinup" via the default credential chain');
    const bad = await t.authed
      .post(`${BASE}/spinup/jobs/space-xy/dry-run`)
      .send({
        job: { ...SEED.instance, details: { runner: 'instanceRunner', instance_action: 'nap' } },
      })
      .expect(400);
    expect(bad.body.message).toContain('job.details.instance_action');
    expect((await t.authed.get(`${BASE}/spinup/jobs/space-xy`).expect(200)).body).toEqual([]);
  });

  it('task example: its count "0" is refused (1-10), and with 3 it starts 3 tasks', async () => {
    const refused = await t.authed
      .post(`${BASE}/spinup/jobs/space-xy`)
      .send({ job: SEED.task })
      .expect(400);
    expect(refused.body.message).toBe('job.details.count: "0" must be an integer from 1 to 10');
    const fixed = { ...SEED.task, details: { ...SEED.task.details, count: '3' } };
    const runs = await createRunAndRead('space-xy', { job: fixed });
    expect(runs[0].status).toBe('succeeded');
    expect(runs[0].output).toMatch(
      /^started 3 of 3 task\(s\) of spindev-svc-123 in spindev-cluster-123/,
    );
    expect(runs[0].outcome).toMatchObject({
      result: 'reached',
      target: 'RUNNING',
      state: 'RUNNING',
    });
  });

  it('a failing AWS call is recorded with its error and request id; access denied is not retried', async () => {
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    fake.on('ec2:StartInstances', () => ({
      status: 403,
      body: '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors><RequestID>{{requestId}}</RequestID></Response>',
    }));
    const runs = await createRunAndRead('space-xy', { job: SEED.instance });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', will_retry: false });
    expect(runs[0].error).toContain('UnauthorizedOperation');
    expect(runs[0].error).toContain('account "spinup" via the default credential chain');
    expect(runs[0].request_id).toMatch(/^req-ec2-/);
  });

  it.each([
    [
      { ...SEED.instance, details: { ...SEED.instance.details, instance_action: 'terminate' } },
      'job.details.instance_action',
      'allowed: start, stop, reboot',
    ],
    [
      { ...SEED.service, details: { ...SEED.service.details, desired_count: '-3' } },
      'job.details.desired_count',
      'from 0 to 100000',
    ],
    [
      { ...SEED.database.job, details: { runner: 'databaseRunner', database_action: 'stop' } },
      'job.details.instance_id',
      'is required',
    ],
  ])('refuses bad details at create time: %#', async (job, field, allowed) => {
    const res = await t.authed.post(`${BASE}/spinup/jobs/g`).send({ job }).expect(400);
    expect(res.body.message).toContain(field);
    expect(res.body.message).toContain(allowed);
  });
});

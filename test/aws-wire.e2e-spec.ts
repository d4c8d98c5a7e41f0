import { runParsed } from './support/aws-test-helpers';
import { createHash } from 'node:crypto';
import { Account as AccountDefinition } from '../src/domain/accounts';
import { AwsClients } from '../src/runners/aws/aws-clients';
import { DatabaseRunner } from '../src/runners/database.runner';
import { InstanceRunner } from '../src/runners/instance.runner';
import { ServiceRunner } from '../src/runners/service.runner';
import { TaskRunner } from '../src/runners/task.runner';
import { RunContext, RunResult } from '../src/runners/runner';
import { WaitLimits } from '../src/domain/outcome';
import { ec2Error } from './support/fake-aws';
import { useFakeAws } from './support/fake-aws-hooks';

/** Wire level: the real SDK, signing real requests, against a local endpoint. */
describe('AWS runners on the wire (local endpoint via AWS_ENDPOINT_URL_*)', () => {
  const fake = useFakeAws();

  const accounts: Record<string, AccountDefinition> = {
    plain: { runners: [], region: 'us-east-1' },
    roled: {
      runners: [],
      region: 'us-west-2',
      role_arn: 'arn:aws:iam::123456789012:role/minion',
      external_id: 'ext-42',
    },
  };
  const ctx = (account: string, details: Record<string, string>, runId?: string): RunContext => ({
    runId,
    account,
    job: {
      account,
      description: '',
      details,
      group: 'g',
      id: 'j',
      modified_at: '',
      modified_by: '',
      name: 'n',
      schedule_expression: '* * * * *',
      enabled: true,
    },
    signal: new AbortController().signal,
  });

  it('instance start: EC2 query StartInstances, SigV4 with the default chain key, XML parsed', async () => {
    const runner = new InstanceRunner('instanceRunner', undefined, new AwsClients(accounts));
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    const result = (await runParsed(
      runner,
      ctx('plain', { instance_action: 'start', instance_id: 'i-aaaabbbb11112222' }),
    )) as RunResult;
    const [describe, req] = fake.requests;
    expect(describe).toMatchObject({ service: 'ec2', action: 'DescribeInstances' });
    expect(req).toMatchObject({ service: 'ec2', action: 'StartInstances' });
    expect(req.params).toMatchObject({
      Action: 'StartInstances',
      'InstanceId.1': 'i-aaaabbbb11112222',
    });
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAWIRETEST0000\/\d{8}\/us-east-1\/ec2\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
    expect(result).toMatchObject({
      output: 'start i-aaaabbbb11112222: stopped -> pending',
      requestId: 'req-ec2-2',
      target: { before: 'stopped', state: 'running' },
    });
  });

  it('the wait on the wire: the SDK InstanceRunning waiter polls DescribeInstances until running', async () => {
    const runner = new InstanceRunner(
      'instanceRunner',
      { waitTimeout: '20s', waitPollMin: '10ms', waitPollMax: '20ms' },
      new AwsClients(accounts),
    );
    fake.resources.setInstance('i-aaaabbbb11112222', 'stopped');
    fake.resources.settleAfter = 3; // pending for three describes
    const result = (await runParsed(
      runner,
      ctx('plain', { instance_action: 'start', instance_id: 'i-aaaabbbb11112222' }),
    )) as RunResult;
    const limits = runner.waitLimits({}) as WaitLimits;
    const end = await result.target?.wait?.(limits, new AbortController().signal);
    expect(end).toEqual({ result: 'reached', state: 'running' });
    const polls = fake.requests.slice(2);
    expect(polls.map((r) => r.action)).toEqual(Array(4).fill('DescribeInstances'));
    for (const poll of polls) {
      expect(poll.params['InstanceId.1']).toBe('i-aaaabbbb11112222');
      expect(poll.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAWIRETEST0000\//);
    }
  });

  it('with a role: AssumeRole on STS first, then EC2 signed with the temporary credentials', async () => {
    const runner = new InstanceRunner('instanceRunner', undefined, new AwsClients(accounts));
    await runParsed(
      runner,
      ctx('roled', {
        instance_action: 'stop',
        instance_id: 'i-aaaabbbb11112222',
        hibernate: 'true',
      }),
    );
    const [sts, describe, ec2] = fake.requests;
    expect(sts).toMatchObject({ service: 'sts', action: 'AssumeRole' });
    expect(describe.headers['x-amz-security-token']).toBe('assumed-session-token');
    expect(sts.params).toMatchObject({
      RoleArn: 'arn:aws:iam::123456789012:role/minion',
      ExternalId: 'ext-42',
      RoleSessionName: 'minion-roled',
    });
    expect(sts.headers.authorization).toContain('Credential=AKIAWIRETEST0000/');
    expect(ec2.params).toMatchObject({
      Action: 'StopInstances',
      'InstanceId.1': 'i-aaaabbbb11112222',
      Hibernate: 'true',
    });
    expect(ec2.headers.authorization).toMatch(
      /Credential=ASIAWIREASSUMED00\/\d{8}\/us-west-2\/ec2\/aws4_request/,
    );
    expect(ec2.headers['x-amz-security-token']).toBe('assumed-session-token');
  });

  it('an EC2 error answer becomes a permanent error naming the role, with the request id', async () => {
    fake.on('ec2:RebootInstances', () =>
      ec2Error('UnauthorizedOperation', 403, 'You are not authorized'),
    );
    const runner = new InstanceRunner('instanceRunner', undefined, new AwsClients(accounts));
    const error = await runParsed(
      runner,
      ctx('roled', { instance_action: 'reboot', instance_id: 'i-aaaabbbb11112222' }),
    ).catch((e) => e);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('UnauthorizedOperation');
    expect(error.message).toContain('role arn:aws:iam::123456789012:role/minion');
    expect(error.requestId).toMatch(/^req-ec2-\d+$/);
  });

  it('database stop: RDS query DescribeDBInstances then StopDBInstance', async () => {
    const runner = new DatabaseRunner('databaseRunner', undefined, new AwsClients(accounts));
    const result = (await runParsed(
      runner,
      ctx('plain', { database_action: 'stop', instance_id: 'spintst-db000b36' }),
    )) as RunResult;
    expect(fake.requests.map((r) => `${r.service}:${r.action}`)).toEqual([
      'rds:DescribeDBInstances',
      'rds:StopDBInstance',
    ]);
    expect(fake.requests[1].params).toMatchObject({
      DBInstanceIdentifier: 'spintst-db000b36',
      Version: '2014-10-31',
    });
    expect(fake.requests[1].headers.authorization).toMatch(/\/us-east-1\/rds\/aws4_request/);
    expect(result.output).toBe('stop instance spintst-db000b36: available -> stopping');
    expect(result.requestId).toMatch(/^req-rds-/);
  });

  it('service scale: ECS JSON UpdateService', async () => {
    const runner = new ServiceRunner('serviceRunner', undefined, new AwsClients(accounts));
    const result = (await runParsed(
      runner,
      ctx('plain', {
        service_action: 'scale',
        service_cluster: 'spindev-cluster-123',
        service_name: 'spindev-svc-123',
        desired_count: '0',
      }),
    )) as RunResult;
    const [describe, req] = fake.requests;
    expect(describe.headers['x-amz-target']).toBe(
      'AmazonEC2ContainerServiceV20141113.DescribeServices',
    );
    expect(req.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.UpdateService');
    expect(req.json).toEqual({
      cluster: 'spindev-cluster-123',
      service: 'spindev-svc-123',
      desiredCount: 0,
    });
    expect(req.headers.authorization).toMatch(/\/us-east-1\/ecs\/aws4_request/);
    expect(result.output).toBe(
      'scaled spindev-cluster-123/spindev-svc-123 to 0 (running 2, pending 0)',
    );
  });

  it('task run: DescribeServices for the network, then RunTask with it', async () => {
    const runner = new TaskRunner('taskRunner', undefined, new AwsClients(accounts));
    const result = (await runParsed(
      runner,
      ctx(
        'plain',
        {
          task_action: 'run',
          task_cluster: 'spindev-cluster-123',
          task_name: 'spindev-svc-123',
          count: '2',
        },
        'plain/g/j@2026-11-24T18:00:00Z',
      ),
    )) as RunResult;
    expect(fake.requests.map((r) => r.action)).toEqual(['DescribeServices', 'RunTask']);
    expect(fake.requests[1].json).toEqual({
      cluster: 'spindev-cluster-123',
      taskDefinition: 'spindev-svc-123',
      count: 2,
      startedBy: 'minion',
      clientToken: createHash('sha256').update('plain/g/j@2026-11-24T18:00:00Z').digest('hex'),
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaa1111'],
          securityGroups: ['sg-0bbb2222'],
          assignPublicIp: 'DISABLED',
        },
      },
    });
    expect(result.output).toContain('started 2 of 2 task(s)');
  });
});

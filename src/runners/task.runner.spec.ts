import { DescribeServicesCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidFieldError, RunnerError } from '../common/errors';
import { AwsClients } from './aws/aws-clients';
import { ctx, runParsed } from '../../test/support/aws-test-helpers';
import { TaskRunner } from './task.runner';

const ecs = mockClient(ECSClient);
const runner = new TaskRunner(
  'taskRunner',
  undefined,
  new AwsClients({ acct: { runners: [], region: 'us-east-1' } }),
);
const base = {
  task_action: 'run',
  task_cluster: 'spindev-cluster-123',
  task_name: 'spindev-svc-123',
  count: '3',
};
const network = {
  awsvpcConfiguration: {
    subnets: ['subnet-0aaa1111'],
    securityGroups: ['sg-0bbb2222'],
    assignPublicIp: 'DISABLED' as const,
  },
};

describe('TaskRunner', () => {
  beforeEach(() => ecs.reset());

  it('reuses the network configuration and launch type of the service with the same name', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'spindev-svc-123',
          status: 'ACTIVE',
          launchType: 'FARGATE',
          networkConfiguration: network,
        },
      ],
    });
    ecs.on(RunTaskCommand).resolves({
      tasks: [{ taskArn: 'arn:t1' }, { taskArn: 'arn:t2' }, { taskArn: 'arn:t3' }],
      $metadata: { requestId: 'req-3' },
    });
    const result = await runParsed(runner, ctx(base));
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: 'spindev-cluster-123',
      services: ['spindev-svc-123'],
    });
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: 'spindev-cluster-123',
      taskDefinition: 'spindev-svc-123',
      count: 3,
      startedBy: 'minion',
      clientToken: undefined,
      launchType: 'FARGATE',
      capacityProviderStrategy: undefined,
      networkConfiguration: network,
    });
    expect(result.output).toBe(
      'started 3 of 3 task(s) of spindev-svc-123 in spindev-cluster-123 (placement of service spindev-svc-123): arn:t1, arn:t2, arn:t3',
    );
    expect(result.requestId).toBe('req-3');
  });

  it('reuses a capacity provider strategy when the service has no launch type', async () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'spindev-svc-123',
          status: 'ACTIVE',
          capacityProviderStrategy: strategy,
          networkConfiguration: network,
        },
      ],
    });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:t1' }] });
    await runParsed(runner, ctx({ ...base, count: '1' }));
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input.capacityProviderStrategy).toEqual(strategy);
    expect(input.launchType).toBeUndefined();
  });

  it('uses network details when given, without describing any service', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:t1' }] });
    await runParsed(
      runner,
      ctx({
        ...base,
        count: '1',
        launch_type: 'FARGATE',
        subnets: 'subnet-0aaa1111, subnet-0ccc3333',
        security_groups: 'sg-0bbb2222',
        assign_public_ip: 'true',
      }),
    );
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toMatchObject({
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaa1111', 'subnet-0ccc3333'],
          securityGroups: ['sg-0bbb2222'],
          assignPublicIp: 'ENABLED',
        },
      },
    });
  });

  it('without network details or a service of that name, fails permanently saying what to add', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    const error = await runParsed(runner, ctx(base)).catch((e) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('add details "subnets"');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('reports RunTask failures; capacity problems are retryable', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'spindev-svc-123', status: 'ACTIVE', networkConfiguration: network },
      ],
    });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] });
    const error = await runParsed(runner, ctx(base)).catch((e) => e);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('RESOURCE:MEMORY');
  });

  it.each([
    [{ ...base, count: '0' }, 'job.details.count', 'from 1 to 10'],
    [{ ...base, count: '11' }, 'job.details.count', 'from 1 to 10'],
    [{ ...base, task_action: 'stop' }, 'job.details.task_action', 'run'],
    [{ ...base, launch_type: 'LAMBDA' }, 'job.details.launch_type', 'FARGATE, EC2, EXTERNAL'],
    [{ ...base, subnets: 'subnet-0aaa1111,net-2' }, 'job.details.subnets', 'subnet ids'],
    [{ ...base, security_groups: 'default' }, 'job.details.security_groups', 'security group ids'],
    [{ ...base, assign_public_ip: 'maybe' }, 'job.details.assign_public_ip', 'ENABLED, DISABLED'],
  ])('validate(%j) names %s', (details, field, allowed) => {
    expect(() => runner.parseDetails(details)).toThrow(InvalidFieldError);
    expect(() => runner.parseDetails(details)).toThrow(field);
    expect(() => runner.parseDetails(details)).toThrow(allowed);
  });

  it('sends the same idempotency token for every attempt of one occurrence, another for the next', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'spindev-svc-123', status: 'ACTIVE', networkConfiguration: network },
      ],
    });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:t1' }] });
    const run = (runId: string) => runParsed(runner, { ...ctx({ ...base, count: '1' }), runId });
    await run('acct/g/j1@2026-11-24T18:00:00Z');
    await run('acct/g/j1@2026-11-24T18:00:00Z');
    await run('acct/g/j1@2026-11-25T18:00:00Z');
    const tokens = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('count defaults to 1', () => {
    const { count: _, ...noCount } = base;
    expect(() => runner.parseDetails(noCount)).not.toThrow();
  });
});

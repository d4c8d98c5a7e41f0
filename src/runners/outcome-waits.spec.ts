import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingGroupsCommandOutput,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  EC2Client,
  InstanceStateName,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { Runner } from './runner';
import { WaitEnd, WaitLimits } from '../domain/outcome';
import { AutoScalingRunner } from './autoscaling.runner';
import { AwsClients } from './aws/aws-clients';
import { ctx, runParsed, sdkError } from '../../test/support/aws-test-helpers';
import { DatabaseRunner } from './database.runner';
import { InstanceRunner } from './instance.runner';
import { ServiceRunner } from './service.runner';
import { TaskRunner } from './task.runner';

/**
 * Every state sequence a wait can meet, per runner type, against aws-sdk-client-mock: the
 * SDK's own waiters (EC2, RDS available, ECS services stable) and the described polls (RDS
 * stopped, ECS tasks, Auto Scaling). The limits are milliseconds so the waiters' real backoff
 * stays short; `timeout` cases rely on the waiter's own limit, not on a test sleep.
 */
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);
const aws = new AwsClients({ acct: { runners: [], region: 'us-east-1' } });
const FAST: WaitLimits = { timeoutMs: 600, minDelayMs: 5, maxDelayMs: 10 };
const ID = 'i-aaaabbbb11112222';

const instance = (state: string) => ({
  Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: state as InstanceStateName } }] }],
});
const db = (status: string) => ({
  DBInstances: [{ DBInstanceIdentifier: 'db1', DBInstanceStatus: status, Engine: 'postgres' }],
});

/** Runs the job's action, then its wait with `limits`: what the executor does. */
async function actThenWait(
  runner: Runner,
  details: Record<string, string>,
  limits = FAST,
  signal = new AbortController().signal,
): Promise<WaitEnd> {
  const result = (await runParsed(runner, ctx(details))) as {
    target?: { wait?: (l: WaitLimits, s: AbortSignal) => Promise<WaitEnd> };
  };
  const wait = result.target?.wait;
  if (!wait) throw new Error('the runner named no wait');
  return wait(limits, signal);
}

beforeEach(() => {
  ec2.reset();
  rds.reset();
  ecs.reset();
  asg.reset();
});

describe('EC2 instance (SDK waiters InstanceRunning / InstanceStopped)', () => {
  const runner = new InstanceRunner('i', undefined, aws);
  const start = { instance_action: 'start', instance_id: ID };

  it('reaches running after pending', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(instance('stopped')) // before the action
      .resolvesOnce(instance('pending'))
      .resolvesOnce(instance('pending'))
      .resolves(instance('running'));
    ec2.on(StartInstancesCommand).resolves({});
    expect(await actThenWait(runner, start)).toEqual({ result: 'reached', state: 'running' });
    expect(ec2.commandCalls(DescribeInstancesCommand).length).toBeGreaterThanOrEqual(4);
  });

  it('times out still pending, saying where it was', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(instance('stopped'))
      .resolves(instance('pending'));
    ec2.on(StartInstancesCommand).resolves({});
    expect(await actThenWait(runner, start)).toEqual({ result: 'timeout', state: 'pending' });
  });

  it('goes elsewhere: stopping while starting ends the wait at once', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(instance('stopped'))
      .resolvesOnce(instance('pending'))
      .resolves(instance('stopping'));
    ec2.on(StartInstancesCommand).resolves({});
    const end = await actThenWait(runner, start, { ...FAST, timeoutMs: 60_000 });
    expect(end).toEqual({ result: 'elsewhere', state: 'stopping' });
  });

  it('keeps waiting through throttling', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(instance('running'))
      .rejectsOnce(sdkError('RequestLimitExceeded', 503))
      .rejectsOnce(sdkError('RequestLimitExceeded', 503))
      .resolves(instance('stopped'));
    ec2.on(StopInstancesCommand).resolves({});
    const end = await actThenWait(runner, { instance_action: 'stop', instance_id: ID });
    expect(end).toEqual({ result: 'reached', state: 'stopped' });
  });

  it('refused: a describe denied ends the wait at once, naming the error', async () => {
    ec2.on(DescribeInstancesCommand).rejects(sdkError('UnauthorizedOperation', 403));
    ec2.on(StopInstancesCommand).resolves({});
    const end = await actThenWait(
      runner,
      { instance_action: 'stop', instance_id: ID },
      { ...FAST, timeoutMs: 60_000 },
    );
    expect(end.result).toBe('refused');
    expect(end.detail).toMatch(/UnauthorizedOperation/);
  });

  it('interrupted: the signal ends the wait with its reason', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(instance('stopped'))
      .resolves(instance('pending'));
    ec2.on(StartInstancesCommand).resolves({});
    const controller = new AbortController();
    const waiting = actThenWait(runner, start, { ...FAST, timeoutMs: 60_000 }, controller.signal);
    // Abort once the wait has described at least once.
    await until(() => ec2.commandCalls(DescribeInstancesCommand).length >= 2);
    controller.abort(new Error('minion is shutting down'));
    expect(await waiting).toEqual({
      result: 'interrupted',
      state: 'pending',
      detail: 'minion is shutting down',
    });
  });
});

describe('RDS database', () => {
  const runner = new DatabaseRunner('d', undefined, aws);

  it('start: the SDK DBInstanceAvailable waiter, starting -> available', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(db('stopped'))
      .resolvesOnce(db('starting'))
      .resolves(db('available'));
    rds.on(StartDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: 'starting' } });
    const end = await actThenWait(runner, { database_action: 'start', instance_id: 'db1' });
    expect(end).toEqual({ result: 'reached', state: 'available' });
  });

  it('stop: a described poll, stopping -> stopped', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(db('available'))
      .resolvesOnce(db('stopping'))
      .resolves(db('stopped'));
    rds.on(StopDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: 'stopping' } });
    const end = await actThenWait(runner, { database_action: 'stop', instance_id: 'db1' });
    expect(end).toEqual({ result: 'reached', state: 'stopped' });
  });

  it('stop: started again by someone else is elsewhere', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(db('available'))
      .resolvesOnce(db('stopping'))
      .resolves(db('starting'));
    rds.on(StopDBInstanceCommand).resolves({});
    const end = await actThenWait(
      runner,
      { database_action: 'stop', instance_id: 'db1' },
      { ...FAST, timeoutMs: 60_000 },
    );
    expect(end).toEqual({ result: 'elsewhere', state: 'starting' });
  });

  it('stop: a database deleted while stopping is elsewhere', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(db('available'))
      .rejects(new DBInstanceNotFoundFault({ message: 'gone', $metadata: {} }));
    rds.on(StopDBInstanceCommand).resolves({});
    const end = await actThenWait(
      runner,
      { database_action: 'stop', instance_id: 'db1', database_type: 'instance' },
      { ...FAST, timeoutMs: 60_000 },
    );
    expect(end).toEqual({ result: 'elsewhere', state: 'not found' });
  });
});

describe('ECS service (SDK ServicesStable waiter)', () => {
  const runner = new ServiceRunner('s', undefined, aws);
  const service = (running: number, desired: number, deployments = 1) => ({
    services: [
      {
        status: 'ACTIVE',
        runningCount: running,
        desiredCount: desired,
        deployments: Array.from({ length: deployments }, () => ({})),
      },
    ],
  });

  it('reaches the desired count running', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(service(3, 3))
      .resolvesOnce(service(2, 0))
      .resolves(service(0, 0));
    ecs.on(UpdateServiceCommand).resolves({});
    const end = await actThenWait(runner, {
      service_action: 'scale',
      service_cluster: 'c',
      service_name: 'web',
      desired_count: '0',
    });
    expect(end).toEqual({ result: 'reached', state: '0 running of 0 (ACTIVE, 1 deployment(s))' });
  });
});

describe('ECS task (described poll)', () => {
  const runner = new TaskRunner('t', undefined, aws);
  const details = {
    task_action: 'run',
    task_cluster: 'c',
    task_name: 'batch',
    subnets: 'subnet-0aaa1111',
  };
  const task = (lastStatus: string, exitCode?: number, stoppedReason?: string) => ({
    tasks: [
      { taskArn: 'arn:t1', lastStatus, stoppedReason, containers: [{ name: 'app', exitCode }] },
    ],
  });
  beforeEach(() => ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:t1' }] }));

  it('reaches RUNNING after PROVISIONING', async () => {
    ecs.on(DescribeTasksCommand).resolvesOnce(task('PROVISIONING')).resolves(task('RUNNING'));
    expect(await actThenWait(runner, details)).toEqual({ result: 'reached', state: 'RUNNING' });
  });

  it('a short task that already finished with exit 0 has reached its state', async () => {
    ecs.on(DescribeTasksCommand).resolves(task('STOPPED', 0, 'Essential container in task exited'));
    const end = await actThenWait(runner, details);
    expect(end.result).toBe('reached');
    expect(end.state).toBe('STOPPED (exit app=0: Essential container in task exited)');
  });

  it('a task that stopped with a failing exit code went elsewhere, with its code and reason', async () => {
    ecs.on(DescribeTasksCommand).resolves(task('STOPPED', 1, 'Essential container in task exited'));
    const end = await actThenWait(runner, details, { ...FAST, timeoutMs: 60_000 });
    expect(end).toEqual({
      result: 'elsewhere',
      state: 'STOPPED (exit app=1: Essential container in task exited)',
    });
  });
});

describe('Auto Scaling group (described poll)', () => {
  const runner = new AutoScalingRunner('a', undefined, aws);
  const group = (desired: number, states: string[]): DescribeAutoScalingGroupsCommandOutput =>
    ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web',
          DesiredCapacity: desired,
          MinSize: 0,
          MaxSize: 10,
          Instances: states.map((LifecycleState, i) => ({ InstanceId: `i-${i}`, LifecycleState })),
        },
      ],
    }) as unknown as DescribeAutoScalingGroupsCommandOutput;
  const scale = { autoscaling_action: 'scale', group_name: 'web', desired_capacity: '3' };

  it('reaches the desired capacity in service', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce(group(1, ['InService']))
      .resolvesOnce(group(3, ['InService', 'Pending', 'Pending']))
      .resolves(group(3, ['InService', 'InService', 'InService']));
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    expect(await actThenWait(runner, scale)).toEqual({
      result: 'reached',
      state: '3 in service of 3 (desired 3)',
    });
  });

  it('already at the desired capacity, all in service: no call', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves(group(3, ['InService', 'InService', 'InService']));
    const result = await runParsed(runner, ctx(scale));
    expect(result.target).toMatchObject({ already: true });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('someone else changed the desired capacity: elsewhere', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce(group(1, ['InService']))
      .resolves(group(5, ['InService']));
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    const end = await actThenWait(runner, scale, { ...FAST, timeoutMs: 60_000 });
    expect(end).toEqual({ result: 'elsewhere', state: '1 in service of 1 (desired 5)' });
  });
});

/** Polls `condition` until it holds, failing after a deadline that holds on a loaded machine. */
async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { DummyRunner } from './dummy.runner';
import { Runner } from './runner';
import { AutoScalingRunner } from './autoscaling.runner';
import { AwsClients } from './aws/aws-clients';
import { ctx, sdkError } from '../../test/support/aws-test-helpers';
import { DatabaseRunner } from './database.runner';
import { InstanceRunner } from './instance.runner';
import { ServiceRunner } from './service.runner';
import { TaskRunner } from './task.runner';

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);
const aws = new AwsClients({
  acct: { runners: [], region: 'us-east-1', role_arn: 'arn:aws:iam::123456789012:role/minion' },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function dryRun(runner: Runner<any>, details: Record<string, string>) {
  const c = ctx(details);
  return runner.dryRun(c, runner.parseDetails(details));
}

describe('dry runs', () => {
  beforeEach(() => [ec2, rds, ecs, asg].forEach((m) => m.reset()));
  afterEach(() => {
    // Never an action: only describe calls, and EC2's DryRun.
    expect(ec2.commandCalls(StartInstancesCommand).every((c) => c.args[0].input.DryRun)).toBe(true);
    expect(ec2.commandCalls(StopInstancesCommand).every((c) => c.args[0].input.DryRun)).toBe(true);
    expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
  });

  const instance = new InstanceRunner('instanceRunner', undefined, aws);
  const ID = 'i-aaaabbbb11112222';

  it('instance: a stopped instance would start; the DryRun answer means allowed', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: 'stopped' } }] }],
    });
    ec2.on(StartInstancesCommand).rejects(sdkError('DryRunOperation', 412));
    const report = await dryRun(instance, { instance_action: 'start', instance_id: ID });
    expect(report).toEqual({
      state: 'stopped',
      would: `${ID} is stopped; start would start it`,
      checks: [
        { permission: 'ec2:DescribeInstances', result: 'allowed' },
        { permission: 'ec2:StartInstances', result: 'allowed' },
      ],
    });
  });

  it('instance: a missing instance would fail; a denied describe names the role', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(sdkError('InvalidInstanceID.NotFound', 400, 'no such'));
    ec2.on(StopInstancesCommand).rejects(sdkError('DryRunOperation', 412));
    const missing = await dryRun(instance, { instance_action: 'stop', instance_id: ID });
    expect(missing.would).toBe(`${ID} InvalidInstanceID.NotFound: no such; stop would fail`);
    ec2.reset();
    ec2.on(DescribeInstancesCommand).rejects(sdkError('UnauthorizedOperation', 403));
    ec2.on(StopInstancesCommand).rejects(sdkError('UnauthorizedOperation', 403));
    const denied = await dryRun(instance, { instance_action: 'stop', instance_id: ID });
    expect(denied.checks.map((c) => c.result)).toEqual(['denied', 'denied']);
    expect(denied.checks[1].detail).toContain('via role arn:aws:iam::123456789012:role/minion');
    expect(denied.state).toBeNull();
  });

  it('database: describes; stopping a stopped one changes nothing; the action is not checked', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'db1', DBInstanceStatus: 'stopped', Engine: 'postgres' },
      ],
    });
    const report = await dryRun(new DatabaseRunner('databaseRunner', undefined, aws), {
      database_action: 'stop',
      instance_id: 'db1',
    });
    expect(report.state).toBe('stopped');
    expect(report.would).toBe('instance db1 is stopped; stop would change nothing (already)');
    expect(report.checks).toEqual([
      { permission: 'rds:DescribeDBInstances', result: 'allowed' },
      expect.objectContaining({ permission: 'rds:StopDBInstance', result: 'not checked' }),
    ]);
  });

  it('database: an identifier that is neither instance nor cluster would fail', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(sdkError('DBInstanceNotFoundFault', 404));
    rds.on(DescribeDBClustersCommand).rejects(sdkError('DBClusterNotFoundFault', 404));
    const report = await dryRun(new DatabaseRunner('databaseRunner', undefined, aws), {
      database_action: 'start',
      instance_id: 'nope',
    });
    expect(report.would).toContain('no RDS DB instance or Aurora cluster named nope');
    expect(report.would).toMatch(/start would fail$/);
  });

  it('service: tells the running and desired counts and the change', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ status: 'ACTIVE', runningCount: 3, desiredCount: 3 }],
    });
    const report = await dryRun(new ServiceRunner('serviceRunner', undefined, aws), {
      service_action: 'scale',
      service_cluster: 'c1',
      service_name: 'web',
      desired_count: '0',
    });
    expect(report.would).toBe(
      'service c1/web is ACTIVE, 3 running (desired 3); scale would set the desired count to 0',
    );
    expect(report.checks[1]).toMatchObject({
      permission: 'ecs:UpdateService',
      result: 'not checked',
    });
  });

  it('task: says what would run where, with nothing described', async () => {
    const report = await dryRun(new TaskRunner('taskRunner', undefined, aws), {
      task_action: 'run',
      task_cluster: 'c1',
      task_name: 'batch:7',
      count: '2',
    });
    expect(report.would).toBe(
      'run 2 task(s) of batch:7 in cluster c1 with the network configuration of service batch in that cluster',
    );
    expect(report.checks).toEqual([expect.objectContaining({ permission: 'ecs:RunTask' })]);
  });

  it('autoscaling: the group as it is, and the capacity it would get', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-asg',
          DesiredCapacity: 3,
          MinSize: 1,
          MaxSize: 6,
          Instances: [{}, {}, {}] as never,
          SuspendedProcesses: [{ ProcessName: 'AZRebalance' }],
        } as never,
      ],
    });
    const report = await dryRun(new AutoScalingRunner('autoScalingRunner', undefined, aws), {
      autoscaling_action: 'scale',
      group_name: 'web-asg',
      desired_capacity: '0',
      min_size: '0',
    });
    expect(report.would).toBe(
      'group web-asg is 3 instance(s), desired 3, min 1, max 6, suspended: AZRebalance; scale would set desired 0, min 0',
    );
  });

  it('dummy: the output it would give', async () => {
    const report = await dryRun(new DummyRunner('dummyRunner'), {});
    expect(report).toEqual({ state: null, would: 'output "Hello, acct!"', checks: [] });
  });
});

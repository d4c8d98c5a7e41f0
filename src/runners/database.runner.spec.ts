import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidFieldError, RunnerError } from '../common/errors';
import { AwsClients } from './aws/aws-clients';
import { ctx, sdkError, runParsed } from '../../test/support/aws-test-helpers';
import { DatabaseRunner } from './database.runner';

const rds = mockClient(RDSClient);
const runner = new DatabaseRunner(
  'databaseRunner',
  undefined,
  new AwsClients({ acct: { runners: [], region: 'us-east-1' } }),
);
const DB = 'spintst-db000b36';

function instance(status: string, extra = {}) {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DB }).resolves({
    DBInstances: [
      { DBInstanceIdentifier: DB, DBInstanceStatus: status, Engine: 'postgres', ...extra },
    ],
  });
}

describe('DatabaseRunner', () => {
  beforeEach(() => rds.reset());

  it('stops an available instance: StopDBInstance with its identifier', async () => {
    instance('available');
    rds.on(StopDBInstanceCommand).resolves({
      DBInstance: { DBInstanceStatus: 'stopping' },
      $metadata: { requestId: 'req-7' },
    });
    const result = await runParsed(runner, ctx({ database_action: 'stop', instance_id: DB }));
    expect(rds.commandCalls(StopDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: DB,
    });
    expect(result).toMatchObject({
      output: `stop instance ${DB}: available -> stopping`,
      requestId: 'req-7',
      target: { resource: `instance ${DB}`, state: 'stopped', before: 'available', already: false },
    });
  });

  it('starts a stopped instance: StartDBInstance', async () => {
    instance('stopped');
    rds.on(StartDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: 'starting' } });
    await runParsed(runner, ctx({ database_action: 'start', instance_id: DB }));
    expect(rds.commandCalls(StartDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: DB,
    });
  });

  it.each([
    ['start', 'available', 'already available', true],
    ['start', 'starting', 'already starting', false],
    ['stop', 'stopped', 'already stopped', true],
    ['stop', 'stopping', 'already stopping', false],
  ])(
    '%s of a database in status %s says "%s" and makes no call (in the target state: %s)',
    async (action, status, text, already) => {
      instance(status);
      const result = await runParsed(runner, ctx({ database_action: action, instance_id: DB }));
      expect(result.output).toContain(text);
      // On the way there: no second call, but the run still waits for the target state.
      expect(result.target).toMatchObject({ before: status, already });
      expect(rds.commandCalls(StartDBInstanceCommand)).toHaveLength(0);
      expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(0);
    },
  );

  it('finds an Aurora cluster by describing it, then uses StopDBCluster', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(sdkError('DBInstanceNotFoundFault', 404));
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: 'aurora-1' })
      .resolves({ DBClusters: [{ Status: 'available' }] });
    rds.on(StopDBClusterCommand).resolves({ DBCluster: { Status: 'stopping' } });
    const result = await runParsed(
      runner,
      ctx({ database_action: 'stop', instance_id: 'aurora-1' }),
    );
    expect(rds.commandCalls(StopDBClusterCommand)[0].args[0].input).toEqual({
      DBClusterIdentifier: 'aurora-1',
    });
    expect(rds.commandCalls(StopDBInstanceCommand)).toHaveLength(0);
    expect(result.output).toBe('stop cluster aurora-1: available -> stopping');
  });

  it('with database_type cluster, goes straight to the cluster: StartDBCluster', async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'stopped' }] });
    rds.on(StartDBClusterCommand).resolves({ DBCluster: { Status: 'starting' } });
    await runParsed(
      runner,
      ctx({ database_action: 'start', instance_id: 'aurora-1', database_type: 'cluster' }),
    );
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(0);
    expect(rds.commandCalls(StartDBClusterCommand)[0].args[0].input).toEqual({
      DBClusterIdentifier: 'aurora-1',
    });
  });

  it('an instance of an Aurora cluster is refused permanently, naming the cluster to use', async () => {
    instance('available', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'aurora-1' });
    const error = await runParsed(runner, ctx({ database_action: 'stop', instance_id: DB })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('instance_id: "aurora-1", database_type: "cluster"');
  });

  it('an unknown identifier is a permanent error', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(sdkError('DBInstanceNotFoundFault', 404));
    rds.on(DescribeDBClustersCommand).rejects(sdkError('DBClusterNotFoundFault', 404));
    const error = await runParsed(
      runner,
      ctx({ database_action: 'start', instance_id: 'ghost' }),
    ).catch((e) => e);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('no RDS DB instance or Aurora cluster named ghost');
  });

  it('a state conflict (InvalidDBInstanceState) is retryable', async () => {
    instance('backing-up');
    rds.on(StopDBInstanceCommand).rejects(sdkError('InvalidDBInstanceStateFault', 400));
    const error = await runParsed(runner, ctx({ database_action: 'stop', instance_id: DB })).catch(
      (e) => e,
    );
    expect(error.permanent).toBe(false);
  });

  it('AccessDenied is permanent', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(sdkError('AccessDenied', 403));
    const error = await runParsed(runner, ctx({ database_action: 'stop', instance_id: DB })).catch(
      (e) => e,
    );
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('refused for account "acct"');
  });

  it.each([
    [{ instance_id: DB }, 'job.details.database_action'],
    [{ database_action: 'reboot', instance_id: DB }, 'job.details.database_action'],
    [{ database_action: 'stop' }, 'job.details.instance_id'],
    [
      { database_action: 'stop', instance_id: DB, database_type: 'serverless' },
      'job.details.database_type',
    ],
  ])('validate(%j) names %s', (details, field) => {
    expect(() => runner.parseDetails(details)).toThrow(InvalidFieldError);
    expect(() => runner.parseDetails(details)).toThrow(field);
  });
});

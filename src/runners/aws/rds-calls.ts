import {
  RDSClient,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';

/** RDS Start/Stop of a DB instance or an Aurora cluster: its new status and the request id. */
export async function changeDatabase(
  rds: RDSClient,
  action: 'start' | 'stop',
  kind: 'instance' | 'cluster',
  id: string,
  signal: AbortSignal,
): Promise<{ status?: string; requestId?: string }> {
  const options = { abortSignal: signal };
  if (kind === 'cluster') {
    const input = { DBClusterIdentifier: id };
    const res =
      action === 'start'
        ? await rds.send(new StartDBClusterCommand(input), options)
        : await rds.send(new StopDBClusterCommand(input), options);
    return { status: res.DBCluster?.Status, requestId: res.$metadata?.requestId };
  }
  const input = { DBInstanceIdentifier: id };
  const res =
    action === 'start'
      ? await rds.send(new StartDBInstanceCommand(input), options)
      : await rds.send(new StopDBInstanceCommand(input), options);
  return { status: res.DBInstance?.DBInstanceStatus, requestId: res.$metadata?.requestId };
}

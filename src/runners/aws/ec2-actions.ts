import {
  EC2Client,
  InstanceStateChange,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';

export type InstanceAction = 'start' | 'stop' | 'reboot';

/** The EC2 API of each action: also the IAM permission (`ec2:StopInstances`). */
export const INSTANCE_APIS = {
  start: 'StartInstances',
  stop: 'StopInstances',
  reboot: 'RebootInstances',
} as const;

/** What EC2 answered: the request id, and each instance's change (none for a reboot). */
export interface InstanceActionAnswer {
  requestId?: string;
  changes?: InstanceStateChange[];
}

/**
 * One StartInstances / StopInstances (hibernating when asked) / RebootInstances call naming
 * `ids`: the single-instance runner, the fleet's batches and the dry run (`dryRun`) all send it
 * here, so the three cannot drift apart.
 */
export async function sendInstanceAction(
  ec2: EC2Client,
  action: InstanceAction,
  ids: string[],
  options: { hibernate?: boolean; dryRun?: boolean; signal: AbortSignal },
): Promise<InstanceActionAnswer> {
  const input = { InstanceIds: ids, ...(options.dryRun ? { DryRun: true } : {}) };
  const sent = { abortSignal: options.signal };
  if (action === 'start') {
    const res = await ec2.send(new StartInstancesCommand(input), sent);
    return { requestId: res.$metadata?.requestId, changes: res.StartingInstances };
  }
  if (action === 'stop') {
    const hibernate = options.hibernate ? { Hibernate: true } : {};
    const res = await ec2.send(new StopInstancesCommand({ ...input, ...hibernate }), sent);
    return { requestId: res.$metadata?.requestId, changes: res.StoppingInstances };
  }
  const res = await ec2.send(new RebootInstancesCommand(input), sent);
  return { requestId: res.$metadata?.requestId };
}

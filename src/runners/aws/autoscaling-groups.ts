import {
  AutoScalingClient,
  AutoScalingGroup,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';

/** What an Auto Scaling action does to a group (shared by one group and a fleet of them). */
export type GroupAction =
  | { action: 'scale'; desired: number; min?: number; max?: number }
  | { action: 'suspend' | 'resume'; processes: string[] };

/** The processes SuspendProcesses and ResumeProcesses know. */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;

export const inService = (g: AutoScalingGroup) =>
  (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;

/** As many instances as desired, every one in service (none launching or terminating). */
export function atDesired(g: AutoScalingGroup): boolean {
  return inService(g) === g.DesiredCapacity && (g.Instances ?? []).length === g.DesiredCapacity;
}

export function suspendedOf(g: AutoScalingGroup): string[] {
  return (g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? '').filter(Boolean);
}

export function processesDone(g: AutoScalingGroup, d: GroupAction): boolean {
  if (d.action === 'scale') return false;
  const suspended = suspendedOf(g);
  const named = d.processes.length > 0 ? d.processes : [...SCALING_PROCESSES];
  return d.action === 'suspend'
    ? named.every((p) => suspended.includes(p))
    : named.every((p) => !suspended.includes(p));
}

export function groupState(g: AutoScalingGroup, d: GroupAction): string {
  if (d.action !== 'scale') {
    const suspended = suspendedOf(g);
    return suspended.length > 0 ? `suspended: ${suspended.join(', ')}` : 'no process suspended';
  }
  return `${inService(g)} in service of ${(g.Instances ?? []).length} (desired ${g.DesiredCapacity})`;
}

/** UpdateAutoScalingGroup (scale) or Suspend/ResumeProcesses: what the call did, in a sentence. */
export async function changeGroup(
  client: AutoScalingClient,
  d: GroupAction & { group: string },
  signal: AbortSignal,
): Promise<{ output: string; requestId?: string }> {
  if (d.action === 'scale') {
    const res = await client.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: d.group,
        DesiredCapacity: d.desired,
        ...(d.min !== undefined ? { MinSize: d.min } : {}),
        ...(d.max !== undefined ? { MaxSize: d.max } : {}),
      }),
      { abortSignal: signal },
    );
    const bounds = [
      d.min !== undefined ? `min ${d.min}` : '',
      d.max !== undefined ? `max ${d.max}` : '',
    ].filter(Boolean);
    return {
      output: `scaled ${d.group} to ${d.desired}${bounds.length ? ` (${bounds.join(', ')})` : ''}`,
      requestId: res.$metadata?.requestId,
    };
  }
  const input = {
    AutoScalingGroupName: d.group,
    ...(d.processes.length > 0 ? { ScalingProcesses: d.processes } : {}),
  };
  const res =
    d.action === 'suspend'
      ? await client.send(new SuspendProcessesCommand(input), { abortSignal: signal })
      : await client.send(new ResumeProcessesCommand(input), { abortSignal: signal });
  const what = d.processes.length > 0 ? d.processes.join(', ') : 'all processes';
  return {
    output: `${d.action === 'suspend' ? 'suspended' : 'resumed'} ${what} of ${d.group}`,
    requestId: res.$metadata?.requestId,
  };
}

/** A group as the action needs it judged: there, on its way, or where the action cannot lead. */
export function judgeGroup(
  g: AutoScalingGroup | null,
  d: GroupAction,
): 'reached' | 'pending' | 'elsewhere' {
  if (g === null) return 'elsewhere';
  if (d.action !== 'scale') return processesDone(g, d) ? 'reached' : 'pending';
  if (g.DesiredCapacity !== d.desired) return 'elsewhere';
  return atDesired(g) ? 'reached' : 'pending';
}

import { SCALING_PROCESSES } from '../../src/runners/autoscaling.runner';
import type { RecordedRequest } from './fake-aws';

type Reply = { status?: number; body: string };

/** A state on its way to another: shown `left` more describes, then the final state. */
interface Moving {
  state: string;
  next?: string;
  left: number;
}

interface Group {
  desired: number;
  min: number;
  max: number;
  inService: Moving;
  suspended: Set<string>;
}

const EC2 = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * The resources behind the fake AWS endpoint, with state: an action moves a resource to its
 * transitional state (pending, stopping, starting, PROVISIONING, scaling), and it reaches the
 * final one after `settleAfter` describes, so the runners' waits see a real sequence on the wire.
 * Unknown resources start running / available (set them first to test a start).
 */
export class FakeResources {
  readonly instances = new Map<string, Moving>();
  readonly databases = new Map<string, Moving>();
  readonly services = new Map<string, { desired: number; running: Moving }>();
  readonly tasks = new Map<string, Moving>();
  readonly groups = new Map<string, Group>();
  /** Describes that show a transitional state before the final one. */
  settleAfter = 1;
  /** The state of an instance nobody set. */
  defaultInstanceState = 'running';
  /** The final state an action's transition ends in, by `service:action` (to make one go elsewhere). */
  readonly endIn = new Map<string, string>();

  reset(): void {
    for (const m of [this.instances, this.databases, this.services, this.tasks, this.groups])
      m.clear();
    this.endIn.clear();
    this.settleAfter = 1;
  }

  setInstance(id: string, state: string): void {
    this.instances.set(id, { state, left: 0 });
  }

  setDatabase(id: string, status: string): void {
    this.databases.set(id, { state: status, left: 0 });
  }

  setGroup(name: string, desired: number, min = 0, max = 10): void {
    this.groups.set(name, {
      desired,
      min,
      max,
      inService: { state: String(desired), left: 0 },
      suspended: new Set(),
    });
  }

  /** The answer for the stateful actions; undefined for the rest (the stateless defaults). */
  reply(r: RecordedRequest): Reply | undefined {
    const key = `${r.service}:${r.action}`;
    switch (key) {
      case 'ec2:DescribeInstances': {
        const id = r.params['InstanceId.1'];
        const state = this.show(this.instance(id));
        return {
          body:
            `<DescribeInstancesResponse xmlns="${EC2}"><requestId>{{requestId}}</requestId>` +
            `<reservationSet><item><reservationId>r-0aaa</reservationId><instancesSet><item>` +
            `<instanceId>${id}</instanceId><instanceState><code>16</code><name>${state}</name></instanceState>` +
            `</item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
        };
      }
      case 'ec2:StartInstances':
      case 'ec2:StopInstances': {
        if (r.params.DryRun === 'true') return undefined;
        const id = r.params['InstanceId.1'];
        const start = r.action === 'StartInstances';
        const before = this.instance(id).state;
        const moving = this.move(
          this.instance(id),
          start ? 'pending' : 'stopping',
          key,
          start ? 'running' : 'stopped',
        );
        return { body: ec2Change(r.action, id, before, moving.state) };
      }
      case 'rds:DescribeDBInstances': {
        const id = r.params.DBInstanceIdentifier;
        return {
          body: rds(
            'DescribeDBInstances',
            `<DBInstances><DBInstance><DBInstanceIdentifier>${id}</DBInstanceIdentifier><DBInstanceStatus>${this.show(this.database(id))}</DBInstanceStatus><Engine>postgres</Engine></DBInstance></DBInstances>`,
          ),
        };
      }
      case 'rds:StartDBInstance':
      case 'rds:StopDBInstance': {
        const id = r.params.DBInstanceIdentifier;
        const start = r.action === 'StartDBInstance';
        const moving = this.move(
          this.database(id),
          start ? 'starting' : 'stopping',
          key,
          start ? 'available' : 'stopped',
        );
        return {
          body: rds(
            r.action,
            `<DBInstance><DBInstanceIdentifier>${id}</DBInstanceIdentifier><DBInstanceStatus>${moving.state}</DBInstanceStatus></DBInstance>`,
          ),
        };
      }
      case 'ecs:DescribeTasks': {
        const j = r.json as { tasks: string[] };
        const tasks = j.tasks.map((taskArn) => {
          const lastStatus = this.show(this.tasks.get(taskArn) ?? { state: 'RUNNING', left: 0 });
          return { taskArn, lastStatus, containers: [{ name: 'app' }] };
        });
        return { body: JSON.stringify({ tasks, failures: [] }) };
      }
      case 'autoscaling:DescribeAutoScalingGroups': {
        const name = r.params['AutoScalingGroupNames.member.1'];
        const g = this.group(name);
        return { body: describeGroups(name, { ...g, inService: Number(this.show(g.inService)) }) };
      }
      case 'autoscaling:UpdateAutoScalingGroup': {
        const g = this.group(r.params.AutoScalingGroupName);
        g.desired = Number(r.params.DesiredCapacity ?? g.desired);
        if (r.params.MinSize !== undefined) g.min = Number(r.params.MinSize);
        if (r.params.MaxSize !== undefined) g.max = Number(r.params.MaxSize);
        g.inService = { state: g.inService.state, next: String(g.desired), left: this.settleAfter };
        return undefined; // the stateless answer is right
      }
      case 'autoscaling:SuspendProcesses':
      case 'autoscaling:ResumeProcesses': {
        const g = this.group(r.params.AutoScalingGroupName);
        const named = Object.entries(r.params)
          .filter(([k]) => k.startsWith('ScalingProcesses.member.'))
          .map(([, v]) => v);
        for (const p of named.length > 0 ? named : SCALING_PROCESSES) {
          if (r.action === 'SuspendProcesses') g.suspended.add(p);
          else g.suspended.delete(p);
        }
        return undefined;
      }
      case 'ecs:DescribeServices': {
        const j = r.json as { services: string[] };
        const s = this.service(j.services[0]);
        const running = Number(this.show(s.running));
        return {
          body: JSON.stringify({
            services: [
              {
                serviceName: j.services[0],
                status: 'ACTIVE',
                desiredCount: s.desired,
                runningCount: running,
                pendingCount: 0,
                deployments: [{ status: 'PRIMARY' }],
                launchType: 'FARGATE',
                networkConfiguration: {
                  awsvpcConfiguration: {
                    subnets: ['subnet-0aaa1111'],
                    securityGroups: ['sg-0bbb2222'],
                    assignPublicIp: 'DISABLED',
                  },
                },
              },
            ],
            failures: [],
          }),
        };
      }
      case 'ecs:UpdateService': {
        const j = r.json as { cluster: string; service: string; desiredCount: number };
        const s = this.service(j.service);
        const before = Number(s.running.state);
        s.desired = j.desiredCount;
        s.running = { state: String(before), next: String(j.desiredCount), left: this.settleAfter };
        return {
          body: JSON.stringify({
            service: {
              serviceName: j.service,
              clusterArn: j.cluster,
              desiredCount: j.desiredCount,
              runningCount: before,
              pendingCount: 0,
              status: 'ACTIVE',
            },
          }),
        };
      }
      case 'ecs:RunTask': {
        const j = r.json as { count: number; cluster: string };
        const tasks = Array.from({ length: j.count }, (_, i) => ({
          taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${j.cluster}/task${i + 1}`,
          lastStatus: 'PROVISIONING',
        }));
        this.started(tasks.map((t) => t.taskArn));
        return { body: JSON.stringify({ tasks, failures: [] }) };
      }
      default:
        return undefined;
    }
  }

  private service(name: string): { desired: number; running: Moving } {
    if (!this.services.has(name))
      this.services.set(name, { desired: 2, running: { state: '2', left: 0 } });
    return this.services.get(name) as { desired: number; running: Moving };
  }

  /** Tasks RunTask started: provisioning, running after the settle. */
  started(arns: string[]): void {
    for (const arn of arns)
      this.tasks.set(arn, { state: 'PROVISIONING', next: 'RUNNING', left: this.settleAfter });
  }

  private instance(id: string): Moving {
    if (!this.instances.has(id))
      this.instances.set(id, { state: this.defaultInstanceState, left: 0 });
    return this.instances.get(id) as Moving;
  }

  private database(id: string): Moving {
    if (!this.databases.has(id)) this.databases.set(id, { state: 'available', left: 0 });
    return this.databases.get(id) as Moving;
  }

  private group(name: string): Group {
    if (!this.groups.has(name)) this.setGroup(name, 2);
    return this.groups.get(name) as Group;
  }

  private move(m: Moving, via: string, key: string, to: string): Moving {
    m.state = via;
    m.next = this.endIn.get(key) ?? to;
    m.left = this.settleAfter;
    return m;
  }

  /** The state a describe shows now; a moving resource gets one describe closer to its end. */
  private show(m: Moving): string {
    const shown = m.state;
    if (m.next !== undefined && --m.left <= 0) {
      m.state = m.next;
      m.next = undefined;
    }
    return shown;
  }
}

function ec2Change(action: string, id: string, before: string, after: string): string {
  return (
    `<${action}Response xmlns="${EC2}"><requestId>{{requestId}}</requestId>` +
    `<instancesSet><item><instanceId>${id}</instanceId><currentState><code>0</code><name>${after}</name></currentState>` +
    `<previousState><code>80</code><name>${before}</name></previousState></item></instancesSet></${action}Response>`
  );
}

function rds(action: string, inner: string): string {
  return (
    `<${action}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><${action}Result>${inner}</${action}Result>` +
    `<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function describeGroups(
  name: string,
  g: { desired: number; min: number; max: number; inService: number; suspended: Set<string> },
): string {
  const member =
    `<member><AutoScalingGroupName>${name}</AutoScalingGroupName><DesiredCapacity>${g.desired}</DesiredCapacity>` +
    `<MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize><Instances>` +
    Array.from(
      { length: g.inService },
      (_, i) =>
        `<member><InstanceId>i-0000000000000000${i}</InstanceId><LifecycleState>InService</LifecycleState></member>`,
    ).join('') +
    `</Instances><SuspendedProcesses>` +
    [...g.suspended].map((p) => `<member><ProcessName>${p}</ProcessName></member>`).join('') +
    `</SuspendedProcesses></member>`;
  return (
    `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">` +
    `<DescribeAutoScalingGroupsResult><AutoScalingGroups>${member}</AutoScalingGroups></DescribeAutoScalingGroupsResult>` +
    `<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`
  );
}

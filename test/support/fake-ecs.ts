import type { RecordedRequest } from './fake-aws';
import type { FakeResources } from './fake-aws-resources';
import { ACCOUNT, jsonError, REGION, Reply } from './fake-wire';

const ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}`;

/** A cluster given by name or ARN, by name (`default` when none is given, as ECS does). */
function clusterName(cluster: string | undefined): string {
  return (cluster ?? 'default').split('/').pop() as string;
}

/** ECS JSON actions: services (describe up to 10 of a cluster, update one) and tasks. */
export function ecsReply(s: FakeResources, r: RecordedRequest): Reply | undefined {
  const j = (r.json ?? {}) as Record<string, unknown>;
  switch (r.action) {
    case 'DescribeServices':
      return describeServices(
        s,
        j as { cluster?: string; services?: string[]; include?: string[] },
      );
    case 'UpdateService':
      return updateService(s, j as { cluster?: string; service: string; desiredCount?: number });
    case 'DescribeTasks': {
      const tasks = (j.tasks as string[]).map((taskArn) => {
        const lastStatus = s.show(s.tasks.get(taskArn) ?? { state: 'RUNNING', left: 0 });
        return { taskArn, lastStatus, containers: [{ name: 'app' }] };
      });
      return { body: JSON.stringify({ tasks, failures: [] }) };
    }
    case 'RunTask': {
      const { count, cluster } = j as { count: number; cluster: string };
      const tasks = Array.from({ length: count }, (_, i) => ({
        taskArn: `${ARN}:task/${cluster}/task${i + 1}`,
        lastStatus: 'PROVISIONING',
      }));
      s.started(tasks.map((t) => t.taskArn));
      return { body: JSON.stringify({ tasks, failures: [] }) };
    }
    default:
      return undefined;
  }
}

/** Each named service (name or ARN) of the cluster; one the cluster lacks is a MISSING failure. */
function describeServices(
  s: FakeResources,
  j: { cluster?: string; services?: string[]; include?: string[] },
): Reply {
  const refs = j.services ?? [];
  if (refs.length === 0) return jsonError('InvalidParameterException', 'Services cannot be empty.');
  if (refs.length > 10)
    return jsonError('InvalidParameterException', 'services can have at most 10 items.');
  const cluster = clusterName(j.cluster);
  const services = [];
  const failures = [];
  for (const ref of refs) {
    const found = s.service(cluster, ref);
    if (!found) {
      const arn = ref.startsWith('arn:') ? ref : `${ARN}:service/${cluster}/${ref}`;
      failures.push({ arn, reason: 'MISSING' });
      continue;
    }
    const name = found.key.split('/').pop() as string;
    const tags = Object.entries(s.tagsOf('service', `${cluster}/${name}`));
    services.push({
      serviceArn: `${ARN}:service/${cluster}/${name}`,
      serviceName: name,
      clusterArn: `${ARN}:cluster/${cluster}`,
      status: 'ACTIVE',
      desiredCount: found.service.desired,
      runningCount: Number(s.show(found.service.running)),
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
      ...(j.include?.includes('TAGS') && tags.length > 0
        ? { tags: tags.map(([key, value]) => ({ key, value })) }
        : {}),
    });
  }
  return { body: JSON.stringify({ services, failures }) };
}

/** A new desired count: the running count follows after the settle. */
function updateService(
  s: FakeResources,
  j: { cluster?: string; service: string; desiredCount?: number },
): Reply {
  const cluster = clusterName(j.cluster);
  const found = s.service(cluster, j.service);
  if (!found) return jsonError('ServiceNotFoundException', 'Service not found.');
  const name = found.key.split('/').pop() as string;
  const failure = s.failureFor('ecs:UpdateService', [found.key, `${cluster}/${name}`]);
  if (failure)
    return jsonError(
      failure.code,
      failure.message ?? `${failure.code} for service ${name} (fake AWS)`,
      failure.status,
    );
  const svc = found.service;
  const before = Number(svc.running.state);
  if (j.desiredCount !== undefined) {
    svc.desired = j.desiredCount;
    svc.running = { state: String(before), next: String(j.desiredCount), left: s.settleAfter };
  }
  return {
    body: JSON.stringify({
      service: {
        serviceArn: `${ARN}:service/${cluster}/${name}`,
        serviceName: name,
        clusterArn: `${ARN}:cluster/${cluster}`,
        desiredCount: svc.desired,
        runningCount: before,
        pendingCount: 0,
        status: 'ACTIVE',
      },
    }),
  };
}

import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidFieldError } from '../common/errors';
import { AwsClients } from './aws/aws-clients';
import { ctx, sdkError, runParsed } from '../../test/support/aws-test-helpers';
import { ServiceRunner } from './service.runner';

const ecs = mockClient(ECSClient);
const runner = new ServiceRunner(
  'serviceRunner',
  undefined,
  new AwsClients({ acct: { runners: [], region: 'us-east-1' } }),
);
const details = {
  service_action: 'scale',
  service_cluster: 'spindev-cluster-123',
  service_name: 'spindev-svc-123',
  desired_count: '0',
};

describe('ServiceRunner', () => {
  beforeEach(() => ecs.reset());

  it('scales: UpdateService with cluster, service and desiredCount', async () => {
    ecs.on(UpdateServiceCommand).resolves({
      service: { desiredCount: 0, runningCount: 2, pendingCount: 0 },
      $metadata: { requestId: 'req-9' },
    });
    const result = await runParsed(runner, ctx(details));
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'spindev-cluster-123',
      service: 'spindev-svc-123',
      desiredCount: 0,
    });
    expect(result).toMatchObject({
      output: 'scaled spindev-cluster-123/spindev-svc-123 to 0 (running 2, pending 0)',
      requestId: 'req-9',
      target: { resource: 'service spindev-cluster-123/spindev-svc-123', state: '0 running' },
    });
  });

  it.each([
    [{ ...details, service_action: 'restart' }, 'job.details.service_action'],
    [{ ...details, desired_count: '-1' }, 'job.details.desired_count'],
    [{ ...details, desired_count: 'two' }, 'job.details.desired_count'],
    [{ ...details, desired_count: '1.5' }, 'job.details.desired_count'],
    [{ ...details, desired_count: undefined as unknown as string }, 'job.details.desired_count'],
    [{ ...details, service_cluster: '' }, 'job.details.service_cluster'],
    [{ ...details, service_name: undefined as unknown as string }, 'job.details.service_name'],
  ])('validate(%j) names %s', (d, field) => {
    const clean = Object.fromEntries(
      Object.entries(d).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    expect(() => runner.parseDetails(clean)).toThrow(InvalidFieldError);
    expect(() => runner.parseDetails(clean)).toThrow(field);
  });

  it('a missing service is permanent, throttling is retryable', async () => {
    ecs
      .on(UpdateServiceCommand)
      .rejectsOnce(sdkError('ServiceNotFoundException', 400))
      .rejectsOnce(sdkError('ThrottlingException', 400));
    expect((await runParsed(runner, ctx(details)).catch((e) => e)).permanent).toBe(true);
    expect((await runParsed(runner, ctx(details)).catch((e) => e)).permanent).toBe(false);
  });
});

import { DescribeInstancesCommand, RebootInstancesCommand } from '@aws-sdk/client-ec2';
import { useFakeAws } from '../../../test/support/fake-aws-hooks';
import { ec2Error } from '../../../test/support/fake-aws';
import { Fence, FencedError, runFenced } from '../../domain/fence';
import { AwsClients } from './aws-clients';

/** A fence answering as the test says, counting its checks. */
function fence(holds: () => boolean) {
  const controller = new AbortController();
  const f: Fence & { checks: number } = {
    checks: 0,
    signal: controller.signal,
    lost: undefined,
    async check() {
      f.checks++;
      if (!holds()) throw new FencedError('held by another worker before this replica acted');
    },
  };
  return f;
}

describe('AwsClients: fencing before each call that acts (fake AWS endpoint)', () => {
  const fake = useFakeAws();
  const reboot = new RebootInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] });
  const describeIt = new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] });

  it('a run whose claim was taken over sends no action (reads still go out)', async () => {
    const ec2 = new AwsClients({ a: { runners: [], region: 'us-east-1' } }).ec2('a');
    const lost = fence(() => false);
    await runFenced(lost, async () => {
      await ec2.send(describeIt);
      await expect(ec2.send(reboot)).rejects.toBeInstanceOf(FencedError);
    });
    expect(fake.counts.get('ec2:DescribeInstances')).toBe(1);
    expect(fake.counts.get('ec2:RebootInstances')).toBeUndefined();
    expect(lost.checks).toBe(1);
  });

  it('a run that holds its claim acts, having checked it right before', async () => {
    const ec2 = new AwsClients({ a: { runners: [], region: 'us-east-1' } }).ec2('a');
    const held = fence(() => true);
    await runFenced(held, () => ec2.send(reboot));
    expect(fake.counts.get('ec2:RebootInstances')).toBe(1);
    expect(held.checks).toBe(1);
  });

  it('every attempt is checked: a retry after throttling is not sent once the claim is lost', async () => {
    const ec2 = new AwsClients({ a: { runners: [], region: 'us-east-1' } }).ec2('a');
    // The first attempt is throttled (EC2 did nothing); the claim is lost during the back-off.
    fake.on('ec2:RebootInstances', () =>
      ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.'),
    );
    let holds = true;
    const f = fence(() => holds);
    const checked = f.check.bind(f);
    f.check = async () => {
      await checked();
      holds = false;
    };
    await runFenced(f, async () => {
      await expect(ec2.send(reboot)).rejects.toBeInstanceOf(FencedError);
    });
    expect(fake.counts.get('ec2:RebootInstances')).toBe(1);
    expect(f.checks).toBe(2);
  });

  it('sits right after the SDK retry middleware in every client minion builds', () => {
    // A client without `retryMiddleware` would fail every call ("... is not found when adding").
    const aws = new AwsClients({ a: { runners: [], region: 'us-east-1' } });
    const clients = [
      aws.ec2('a'),
      aws.rds('a'),
      aws.ecs('a'),
      aws.autoScaling('a'),
      aws.tagging('a'),
    ];
    for (const client of clients) {
      const order = client.middlewareStack.identify();
      const retry = order.findIndex((name) => name.startsWith('retryMiddleware'));
      expect(retry).toBeGreaterThanOrEqual(0);
      expect(order[retry + 1]).toMatch(/^minionFence/);
    }
  });

  it('outside a fenced run (an API dry run, a test) calls go out unchecked', async () => {
    const ec2 = new AwsClients({ a: { runners: [], region: 'us-east-1' } }).ec2('a');
    await ec2.send(reboot);
    expect(fake.counts.get('ec2:RebootInstances')).toBe(1);
  });
});

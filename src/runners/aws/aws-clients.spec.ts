import { EC2Client } from '@aws-sdk/client-ec2';
// The SDK's credential provider uses its internal STS client: that is the one to mock.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClients } from './aws-clients';

const sts = mockClient(STSClient);

describe('AwsClients', () => {
  beforeEach(() => sts.reset());

  it('builds one client per account and service, and reuses it', () => {
    const aws = new AwsClients({ a: { runners: [], region: 'eu-west-1' }, b: { runners: [] } });
    expect(aws.ec2('a')).toBe(aws.ec2('a'));
    expect(aws.ec2('a')).not.toBe(aws.ec2('b'));
    expect(aws.ecs('a')).toBe(aws.ecs('a'));
    expect(aws.rds('a')).toBe(aws.rds('a'));
  });

  it('uses the account region', async () => {
    const aws = new AwsClients({ a: { runners: [], region: 'eu-west-1' } });
    expect(await aws.ec2('a').config.region()).toBe('eu-west-1');
  });

  it('assumes the account role with STS and signs with the temporary credentials', async () => {
    const expiration = new Date(Date.now() + 3600_000);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIATEMPORARY',
        SecretAccessKey: 'temp-secret',
        SessionToken: 'temp-token',
        Expiration: expiration,
      },
    });
    const aws = new AwsClients({
      prod: {
        runners: [],
        region: 'us-east-1',
        role_arn: 'arn:aws:iam::123456789012:role/minion',
        external_id: 'ext-1',
      },
    });
    const client: EC2Client = aws.ec2('prod');
    const credentials = await client.config.credentials();
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIATEMPORARY',
      secretAccessKey: 'temp-secret',
      sessionToken: 'temp-token',
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        RoleArn: 'arn:aws:iam::123456789012:role/minion',
        ExternalId: 'ext-1',
        RoleSessionName: 'minion-prod',
      }),
    ]);
    // Cached until close to expiry: no second AssumeRole for the next call.
    await client.config.credentials();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(aws.identity('prod')).toBe(
      'account "prod" via role arn:aws:iam::123456789012:role/minion',
    );
  });

  it('refreshes the temporary credentials shortly before they expire', async () => {
    const start = Date.parse('2026-11-24T12:00:00Z');
    // Only Date is faked: the SDK's own timers and promises run normally.
    jest.useFakeTimers({
      now: start,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      sts
        .on(AssumeRoleCommand)
        .resolvesOnce({
          Credentials: {
            AccessKeyId: 'ASIAFIRST',
            SecretAccessKey: 's',
            SessionToken: 't',
            Expiration: new Date(start + 3600_000),
          },
        })
        .resolves({
          Credentials: {
            AccessKeyId: 'ASIASECOND',
            SecretAccessKey: 's',
            SessionToken: 't',
            Expiration: new Date(start + 7200_000),
          },
        });
      const aws = new AwsClients({
        prod: {
          runners: [],
          region: 'us-east-1',
          role_arn: 'arn:aws:iam::123456789012:role/minion',
        },
      });
      const client = aws.ec2('prod');
      expect((await client.config.credentials()).accessKeyId).toBe('ASIAFIRST');
      jest.setSystemTime(start + 30 * 60_000);
      expect((await client.config.credentials()).accessKeyId).toBe('ASIAFIRST');
      jest.setSystemTime(start + 58 * 60_000);
      expect((await client.config.credentials()).accessKeyId).toBe('ASIASECOND');
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

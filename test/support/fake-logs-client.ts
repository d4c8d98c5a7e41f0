import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FakeAws } from './fake-aws';

/**
 * A real CloudWatch Logs SDK client talking to a FakeAws of its own (one attempt per call), for
 * the contract specs of the stores built on CloudWatch Logs. `stop` ends both.
 */
export async function fakeLogsClient(): Promise<{
  client: CloudWatchLogsClient;
  stop: () => Promise<void>;
}> {
  const fake = new FakeAws();
  const endpoint = await fake.start();
  const client = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIACONTRACT0000', secretAccessKey: 'contract-secret' },
    maxAttempts: 1,
  });
  return {
    client,
    stop: async () => {
      client.destroy();
      await fake.stop();
    },
  };
}

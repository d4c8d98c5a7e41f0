import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AwsClientSettings, sdkClientConfig } from './aws-client-config';

/**
 * 50 connections (the SDK's default, said explicitly): at CloudWatch's usual 20 ms a call that is
 * at most 2,500 PutLogEvents a second, under the account's 5,000 quota, and 10k runs a minute are
 * stored in about 6 s (bench:cloudwatch). A burst queues behind them by design, so the SDK's
 * warning about queued requests is moved past the time a burst takes.
 */
const LOGS_MAX_SOCKETS = 50;

export function createLogsClient(aws: AwsClientSettings): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    ...sdkClientConfig(aws),
    requestHandler: new NodeHttpHandler({
      httpsAgent: { maxSockets: LOGS_MAX_SOCKETS },
      httpAgent: { maxSockets: LOGS_MAX_SOCKETS },
      socketAcquisitionWarningTimeout: 30_000,
      // A CloudWatch that accepts connections and never answers fails the call (then the run
      // records wait in the outbox) rather than holding it for ever: without
      // throwOnRequestTimeout the handler only warns. Generous: a burst queues for sockets.
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
    }),
  });
}

import { AwsServiceOptions } from '../config/minion-config';

/** Region, endpoint and (when both keys are set) static credentials for an AWS SDK client. */
export function awsClientConfig(options: AwsServiceOptions) {
  return {
    region: options.region,
    endpoint: options.endpoint,
    credentials:
      options.akid && options.secret
        ? { accessKeyId: options.akid, secretAccessKey: options.secret }
        : undefined,
  };
}

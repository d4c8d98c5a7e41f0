import { AwsServiceOptions } from '../config/minion-config';

/**
 * Region, endpoint and (when both keys are set) static credentials for an AWS SDK client; the
 * original's S3 `token` is the session token of temporary keys.
 */
export function awsClientConfig(options: AwsServiceOptions & { token?: string }) {
  return {
    region: options.region,
    endpoint: options.endpoint,
    credentials:
      options.akid && options.secret
        ? {
            accessKeyId: options.akid,
            secretAccessKey: options.secret,
            ...(options.token ? { sessionToken: options.token } : {}),
          }
        : undefined,
  };
}

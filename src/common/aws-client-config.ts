import { IsOptional, IsString, Matches } from 'class-validator';

export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const AWS_REGION_MESSAGE = '$property must be an AWS region such as us-east-1';

/** What an AWS SDK client of minion's storage needs: the original's `region`, `akid`, `secret`, and an endpoint. */
export class AwsServiceOptions {
  @IsOptional()
  @Matches(AWS_REGION, { message: AWS_REGION_MESSAGE })
  region?: string;

  /**
   * For compatible or local endpoints; the SDK's AWS_ENDPOINT_URL_* variables work too. Without a
   * scheme (`s3.example.com`, as the original's SDK took it) it means https.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: '$property must be an http(s) URL' })
  endpoint?: string;

  /** Static credentials; else (absent or empty, as in the original) the default AWS credential chain. */
  @IsOptional()
  @IsString()
  akid?: string;

  @IsOptional()
  @IsString()
  secret?: string;
}

/** Region, endpoint and credentials of an SDK client, resolved from the options. */
export interface AwsClientSettings {
  region?: string;
  endpoint?: string;
  /** Static keys (with the session token, when the original's S3 `token` is set); else the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function awsClientSettings(
  options: AwsServiceOptions & { token?: string },
): AwsClientSettings {
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

/**
 * A fresh, mutable copy for an SDK client's constructor: the settings are frozen, and the SDK
 * writes on what it is given (it marks where credentials came from).
 */
export function sdkClientConfig(aws: AwsClientSettings) {
  return {
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: aws.credentials ? { ...aws.credentials } : undefined,
  };
}

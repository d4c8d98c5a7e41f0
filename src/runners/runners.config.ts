import {
  ArrayUnique,
  IsArray,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { AWS_REGION, AWS_REGION_MESSAGE } from '../common/aws-client-config';

/** `jobRunners.<name>`: a runner instance of a given type with its type-specific config. */
export class RunnerDefinition {
  @IsString()
  @IsNotEmpty()
  type: string;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

/** `accounts.<name>`: which runners the account may use, and how to reach its AWS resources. */
export class AccountDefinition {
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  runners: string[];

  /** AWS region of the account's resources; else the SDK's default (AWS_REGION, profile). */
  @IsOptional()
  @Matches(AWS_REGION, { message: AWS_REGION_MESSAGE })
  region?: string;

  /** IAM role the AWS runners assume for this account; else the default credential chain. */
  @IsOptional()
  @Matches(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    message: '$property must be an IAM role ARN such as arn:aws:iam::123456789012:role/minion',
  })
  role_arn?: string;

  @IsOptional()
  @IsString()
  @Length(2, 1224)
  external_id?: string;

  @IsOptional()
  @Matches(/^[\w+=,.@-]{2,64}$/, {
    message: '$property must be 2-64 characters of letters, digits and +=,.@_-',
  })
  session_name?: string;
}

/** One entry of `jobRunners`: a runner of a type, with that type's `config`. */
export interface RunnerSettings {
  readonly type: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** `jobRunners`, resolved: the runners by name. The runner registry's settings slice (DI token). */
export abstract class JobRunnersSettings {
  abstract readonly runners: Readonly<Record<string, RunnerSettings>>;
}

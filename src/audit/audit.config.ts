import { join } from 'node:path';
import { AwsClientSettings } from '../common/aws-client-config';
import type { OutageLimits } from '../job-log/job-log.config';

/** Where the audit trail goes: beside the run history (SQLite under the data dir, or CloudWatch Logs). */
export type AuditStore =
  | { readonly type: 'sqlite'; readonly path: string }
  | {
      readonly type: 'cloudwatch';
      readonly aws: AwsClientSettings;
      readonly retentionDays: number;
      /** As the run log's: entries CloudWatch cannot take now wait in memory, then on disk. */
      readonly outage: OutageLimits;
    };

/** The audit trail's settings slice (DI token): it has no key of its own, it follows `logProvider`. */
export abstract class AuditSettings {
  /** The CloudWatch log group is `<org>-audit`. */
  abstract readonly org: string;
  abstract readonly store: AuditStore;
}

/** The audit trail goes where the run history goes: CloudWatch Logs, or `<dataDir>/.audit`. */
export function auditSettings(
  runLog:
    | { type: 'file' }
    | { type: 'cloudwatch'; aws: AwsClientSettings; retentionDays: number; outage: OutageLimits },
  org: string,
  dataDir: string,
): AuditSettings {
  if (runLog.type === 'cloudwatch') {
    return {
      org,
      store: {
        type: 'cloudwatch',
        aws: runLog.aws,
        retentionDays: runLog.retentionDays,
        outage: runLog.outage,
      },
    };
  }
  return { org, store: { type: 'sqlite', path: join(dataDir, '.audit') } };
}

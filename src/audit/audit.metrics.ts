import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { registerHeldRecordsMetrics } from '../job-log/held-records.metrics';
import { AuditLog } from './audit-log';

@Injectable()
export class AuditMetrics {
  readonly failures: Counter;

  constructor(metrics: MetricsRegistry, log: AuditLog) {
    this.failures = metrics.counter({
      name: 'minion_audit_failures_total',
      help: 'Audit entries that could not be stored (the change itself was made)',
    });
    registerHeldRecordsMetrics(metrics, 'minion_audit', 'Audit entries', () => log.heldRecords);
  }
}

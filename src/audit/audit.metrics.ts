import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';

@Injectable()
export class AuditMetrics {
  readonly failures: Counter;

  constructor(metrics: MetricsRegistry) {
    this.failures = metrics.counter({
      name: 'minion_audit_failures_total',
      help: 'Audit entries that could not be stored (the change itself was made)',
    });
  }
}

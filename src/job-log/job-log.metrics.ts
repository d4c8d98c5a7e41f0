import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobLog } from './job-log';

/** The run log's failed writes, read from it when Prometheus scrapes. */
@Injectable()
export class JobLogMetrics {
  constructor(metrics: MetricsRegistry, log: JobLog) {
    metrics.counter({
      name: 'minion_run_log_write_failures_total',
      help: 'Run records that could not be written',
      collect() {
        this.reset();
        this.inc(log.writeFailures);
      },
    });
  }
}

import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobLog } from './job-log';
import { registerHeldRecordsMetrics } from './held-records.metrics';

/** The run log's failed writes and held records, read from it when Prometheus scrapes. */
@Injectable()
export class JobLogMetrics {
  constructor(metrics: MetricsRegistry, log: JobLog) {
    metrics.counter({
      name: 'minion_run_log_write_failures_total',
      help: 'Run records that could not be written',
      collect() {
        this.reset();
        // Held records dropped later (spill file full) are lost too.
        this.inc(log.writeFailures + (log.heldRecords?.totals.dropped ?? 0));
      },
    });
    registerHeldRecordsMetrics(metrics, 'minion_run_log', 'Run records', () => log.heldRecords);
  }
}

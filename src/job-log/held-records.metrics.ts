import { MetricsRegistry } from '../metrics/metrics-registry';
import { HeldRecords } from './job-log';

/**
 * The metrics of records held while CloudWatch cannot take them, read when Prometheus scrapes:
 * `<prefix>_held_records{where="memory"|"disk"}` now, and since start `<prefix>_held_total`,
 * `<prefix>_spilled_total`, `<prefix>_redelivered_total` and `<prefix>_dropped_total`.
 */
export function registerHeldRecordsMetrics(
  metrics: MetricsRegistry,
  prefix: string,
  what: string,
  source: () => HeldRecords | null,
): void {
  metrics.gauge({
    name: `${prefix}_held_records`,
    help: `${what} CloudWatch could not take yet, held in memory or in the spill file`,
    labelNames: ['where'],
    collect() {
      const held = source();
      this.set({ where: 'memory' }, held?.buffered ?? 0);
      this.set({ where: 'disk' }, held?.spilled ?? 0);
    },
  });
  const total = (name: string, help: string, read: (h: HeldRecords) => number) =>
    metrics.counter({
      name: `${prefix}_${name}_total`,
      help,
      collect() {
        const held = source();
        this.reset();
        if (held) this.inc(read(held));
      },
    });
  total('held', `${what} held because CloudWatch could not take them`, (h) => h.totals.held);
  total('spilled', `${what} written to the spill file`, (h) => h.totals.spilled);
  total(
    'redelivered',
    `${what} delivered to CloudWatch after being held`,
    (h) => h.totals.delivered,
  );
  total(
    'dropped',
    `${what} held and then dropped (spill file full, or refused for good by CloudWatch)`,
    (h) => h.totals.dropped,
  );
}

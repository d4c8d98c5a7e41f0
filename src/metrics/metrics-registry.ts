import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Metric,
  Registry,
} from 'prom-client';

/**
 * The one owner of minion's metrics: a prom-client registry per app (not prom-client's global
 * one), with Node's default metrics, served at /metrics. Each feature declares its own metrics in
 * its `*.metrics.ts`, through here; asking twice for one name gives the same metric.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter<T extends string>(config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    return this.existing(config, Counter) ?? new Counter({ ...config, registers: [this.registry] });
  }

  histogram<T extends string>(config: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    return (
      this.existing(config, Histogram) ?? new Histogram({ ...config, registers: [this.registry] })
    );
  }

  /** A gauge; with `collect`, read from a live component when Prometheus scrapes. */
  gauge<T extends string>(config: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
    return this.existing(config, Gauge) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  /** The text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The metric already declared under this name, if any. A second declaration must be the same
   * metric (kind and labels): two features meaning different things by one name is a bug, said
   * at startup rather than found in a dashboard. Its `collect`, if any, is the first one's.
   */
  private existing<M extends Metric>(
    config: { name: string; labelNames?: readonly string[]; collect?: unknown },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    kind: new (...args: any[]) => M,
  ): M | undefined {
    const found = this.registry.getSingleMetric(config.name);
    if (!found) return undefined;
    const labels = (m: unknown) => [...((m as { labelNames?: string[] }).labelNames ?? [])].sort();
    if (!(found instanceof kind) || labels(found).join() !== labels(config).join()) {
      throw new Error(
        `metric ${config.name} is declared twice, differently (${found.constructor.name} [${labels(found)}], then ${kind.name} [${labels(config)}])`,
      );
    }
    if (config.collect) throw new Error(`metric ${config.name} is collected twice`);
    return found;
  }
}

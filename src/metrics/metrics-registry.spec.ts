import { register as globalRegistry } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** The sample lines of one metric in the text exposition (no HELP/TYPE lines). */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe('MetricsRegistry', () => {
  const build = () => new MetricsRegistry();

  it('gives the same metric when asked twice for one name', () => {
    const metrics = build();

    const counter = metrics.counter({ name: 'test_things_total', help: 'things' });
    expect(metrics.counter({ name: 'test_things_total', help: 'things again' })).toBe(counter);

    const histogram = metrics.histogram({ name: 'test_seconds', help: 'how long' });
    expect(metrics.histogram({ name: 'test_seconds', help: 'how long' })).toBe(histogram);

    const gauge = metrics.gauge({ name: 'test_level', help: 'level' });
    expect(metrics.gauge({ name: 'test_level', help: 'level' })).toBe(gauge);
  });

  it('counts once for two features sharing a metric', async () => {
    const metrics = build();

    metrics.counter({ name: 'test_shared_total', help: 'shared' }).inc();
    metrics.counter({ name: 'test_shared_total', help: 'shared' }).inc(2);

    expect(samples(await metrics.metrics(), 'test_shared_total')).toEqual(['test_shared_total 3']);
  });

  it('reads a gauge with collect when scraped, not before', async () => {
    const metrics = build();
    let depth = 3;
    const collect = jest.fn(function (this: { set(v: number): void }) {
      this.set(depth);
    });
    metrics.gauge({ name: 'test_queue_depth', help: 'depth', collect });
    expect(collect).not.toHaveBeenCalled();

    expect(samples(await metrics.metrics(), 'test_queue_depth')).toEqual(['test_queue_depth 3']);
    depth = 7;
    expect(samples(await metrics.metrics(), 'test_queue_depth')).toEqual(['test_queue_depth 7']);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it("exposes Node's default metrics in the text format", async () => {
    const metrics = build();

    const text = await metrics.metrics();

    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(samples(text, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samples(text, 'nodejs_heap_size_total_bytes')).toHaveLength(1);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps two registries (two apps in one process) apart, and off the global one', async () => {
    const one = build();
    const two = build();

    const a = one.counter({ name: 'test_runs_total', help: 'runs', labelNames: ['status'] });
    const b = two.counter({ name: 'test_runs_total', help: 'runs', labelNames: ['status'] });
    expect(b).not.toBe(a);
    a.inc({ status: 'ok' }, 5);
    b.inc({ status: 'ok' });

    expect(samples(await one.metrics(), 'test_runs_total')).toEqual([
      'test_runs_total{status="ok"} 5',
    ]);
    expect(samples(await two.metrics(), 'test_runs_total')).toEqual([
      'test_runs_total{status="ok"} 1',
    ]);
    expect(globalRegistry.getSingleMetric('test_runs_total')).toBeUndefined();
  });

  it('refuses one name declared twice as different metrics, or collected twice', () => {
    const metrics = build();
    metrics.counter({ name: 'test_things_total', help: 'things', labelNames: ['kind'] });

    expect(() => metrics.gauge({ name: 'test_things_total', help: 'things' })).toThrow(
      /test_things_total is declared twice, differently/,
    );
    expect(() =>
      metrics.counter({ name: 'test_things_total', help: 'things', labelNames: ['other'] }),
    ).toThrow(/declared twice, differently/);
    metrics.gauge({ name: 'test_level', help: 'level', collect: () => undefined });
    expect(() =>
      metrics.gauge({ name: 'test_level', help: 'level', collect: () => undefined }),
    ).toThrow(/test_level is collected twice/);
  });
});

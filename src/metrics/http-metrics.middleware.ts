import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/**
 * Counts every answered request by method, matched route pattern and status. The route label is
 * the pattern (`/v1/minion/:account/jobs`), never the raw URL, so cardinality stays bounded.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;

  constructor(metrics: MetricsRegistry) {
    const labelNames = ['method', 'route', 'status'];
    this.requests = metrics.counter({
      name: 'minion_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
    });
    this.duration = metrics.histogram({
      name: 'minion_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}

import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/**
 * Counts every answered request by method, matched route pattern and status. The route label is
 * the pattern (`/v1/minion/:account/jobs`), never the raw URL, so cardinality stays bounded.
 */
@Injectable()
export class HttpMetrics {
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

  /** Observes every answer of `fastify`'s routes (and its 404s, as `unmatched`). */
  observe(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const labels = {
        method: req.method,
        // No route matched (a 404 from the router): no pattern.
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}

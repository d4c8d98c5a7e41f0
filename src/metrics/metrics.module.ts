import { Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';

/** /metrics, the HTTP request metrics, and the registry every feature declares its metrics in. */
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}

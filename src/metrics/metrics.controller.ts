import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { ApiTextResponse } from '../common/http/api-docs.decorators';
import { MetricsRegistry } from './metrics-registry';

/** Prometheus scrape endpoint, public like the original's `/v1/minion/metrics`. */
@ApiTags('system')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics (text exposition format)' })
  @ApiTextResponse(
    200,
    'Prometheus text exposition format 0.0.4',
    'minion_runs_total{runner="dummyRunner",status="succeeded"} 42',
  )
  async index(@Res({ passthrough: true }) res: FastifyReply): Promise<string> {
    void res.header('Content-Type', this.metrics.contentType);
    return this.metrics.metrics();
  }
}

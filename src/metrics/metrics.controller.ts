import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { ApiTextResponse } from '../common/http/api-docs.decorators';

/** Prometheus scrape endpoint, public like the original's `/v1/minion/metrics`. */
@ApiTags('system')
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics (text exposition format)' })
  @ApiTextResponse(
    200,
    'Prometheus text exposition format 0.0.4',
    'minion_runs_total{runner="dummyRunner",status="succeeded"} 42',
  )
  override index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}

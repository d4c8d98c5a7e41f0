import { Controller, Get, Header } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { Gauge } from 'prom-client';
import { Public } from '../common/decorators/public.decorator';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { HealthResponseDto, HealthUnavailableDto } from './dto/health.dto';
import { CoordinationHealth } from '../coordination/coordination-health';
import { RepositoryHealthIndicator } from './repository.health';
import { SchedulerHealthIndicator } from './scheduler.health';
import { ShutdownState } from './shutdown-state';

const NO_CACHE = 'no-cache, no-store, must-revalidate';

/** Kubernetes probes. Liveness: the process answers. Readiness: it can do its work. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly repository: RepositoryHealthIndicator,
    private readonly scheduler: SchedulerHealthIndicator,
    private readonly coordination: CoordinationHealth,
    private readonly shutdown: ShutdownState,
    private readonly indicators: HealthIndicatorService,
    metrics: MetricsRegistry,
  ) {
    this.ready = metrics.gauge({
      name: 'minion_ready',
      help: 'Whether the last readiness probe passed (1) or failed (0)',
    });
  }

  private readonly ready: Gauge;

  @Get('live')
  @Header('Cache-Control', NO_CACHE)
  @ApiOperation({ operationId: 'live', summary: 'Liveness probe: the process answers' })
  @ApiOkResponse({ description: 'Alive (no checks)', type: HealthResponseDto })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Header('Cache-Control', NO_CACHE)
  @ApiOperation({
    operationId: 'ready',
    summary:
      'Readiness probe: the jobs repository is readable and writable, the job cache is loaded, ' +
      'and (with the Redis queue) Redis answers',
  })
  @ApiOkResponse({ description: 'Ready', type: HealthResponseDto })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (also while shutting down)',
    type: HealthUnavailableDto,
  })
  async readiness(): Promise<HealthCheckResult> {
    const checks: (() => Promise<HealthIndicatorResult> | HealthIndicatorResult)[] = [
      () => this.repository.check(),
      () => this.scheduler.check(),
    ];
    const coordination = this.coordination;
    if (coordination.checked) checks.push(() => coordination.check());
    if (this.shutdown.draining) checks.push(() => this.drainingCheck());
    try {
      const result = await this.health.check(checks);
      this.ready.set(1);
      return result;
    } catch (err) {
      this.ready.set(0);
      throw err;
    }
  }

  private drainingCheck(): HealthIndicatorResult {
    return this.indicators
      .check('shutdown')
      .down({ message: 'shutting down', since: this.shutdown.since?.toISOString() });
  }
}

import { Controller, Get, Header } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator';
import { HealthResponseDto, HealthUnavailableDto } from './dto/health.dto';
import { RedisHealthIndicator } from './redis.health';
import { RepositoryHealthIndicator } from './repository.health';
import { SchedulerHealthIndicator } from './scheduler.health';

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
    private readonly redis: RedisHealthIndicator,
  ) {}

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
  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.repository.check(), () => this.scheduler.check()];
    if (this.redis.enabled) checks.push(() => this.redis.check());
    return this.health.check(checks);
  }
}

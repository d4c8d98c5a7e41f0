import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator';
import { RepositoryHealthIndicator } from './repository.health';
import { RedisHealthIndicator } from './redis.health';
import { SchedulerHealthIndicator } from './scheduler.health';

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
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness probe' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness probe: the jobs repository is readable and writable, and the job cache is loaded',
  })
  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.repository.check(), () => this.scheduler.check()];
    if (this.redis.enabled) checks.push(() => this.redis.check());
    return this.health.check(checks);
  }
}

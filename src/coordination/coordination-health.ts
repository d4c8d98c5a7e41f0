import { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * Port for the readiness of the coordination backend: Redis with several replicas (`check`
 * pings it), nothing to check for one process (`check` is null).
 */
export abstract class CoordinationHealth {
  abstract readonly check: (() => Promise<HealthIndicatorResult>) | null;
}

/** One process: nothing outside it to wait for. */
export class LocalCoordinationHealth extends CoordinationHealth {
  readonly check = null;
}

import { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * Port for the readiness of the coordination backend: Redis with several replicas (`check`
 * pings it), nothing to check for one process (`checked` is false).
 */
export abstract class CoordinationHealth {
  /** Whether there is anything outside this process to check. */
  abstract readonly checked: boolean;

  abstract check(): Promise<HealthIndicatorResult>;
}

/** One process: nothing outside it to wait for. */
export class LocalCoordinationHealth extends CoordinationHealth {
  readonly checked = false;

  async check(): Promise<HealthIndicatorResult> {
    return {};
  }
}

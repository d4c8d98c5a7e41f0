import { Injectable } from '@nestjs/common';

/**
 * Whether minion is draining before it stops: on SIGTERM (main.ts) readiness turns 503 at once,
 * so Kubernetes takes the pod out of its Service, while the API keeps answering for
 * `scheduler.drainDelay`; then the app closes (stops ticking, lets runs finish).
 */
@Injectable()
export class ShutdownState {
  private drainingSince: Date | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  get since(): Date | null {
    return this.drainingSince;
  }

  begin(at = new Date()): void {
    this.drainingSince ??= at;
  }
}

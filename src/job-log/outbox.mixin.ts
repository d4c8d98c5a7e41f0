import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloudWatchOutbox, DeliverEvents, OutboxLimits, Schedule } from './cloudwatch-outbox';
import { HeldRecords } from './job-log';

/** A CloudWatch store's outbox: how much it may hold, and (tests) how its retries are timed. */
export interface OutageSettings {
  limits: OutboxLimits;
  schedule?: Schedule;
}

/** A store port (JobLog, AuditLog): abstract, built without arguments, reporting held records. */
// A mixin's base must be typed as taking `any[]` (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Store = abstract new (...args: any[]) => { get heldRecords(): HeldRecords | null };

/**
 * `Base` (the run log's or the audit trail's port) with the outbox its CloudWatch store keeps
 * records in while CloudWatch cannot take them: opened at start, so what a previous run left in
 * the spill file is delivered; closed at shutdown, so what CloudWatch has not taken goes to disk
 * for the next start; reported as the store's held records. Without outage settings there is
 * none: records CloudWatch cannot take fail (counted).
 */
export function withOutbox<B extends Store>(Base: B) {
  abstract class StoreWithOutbox extends Base implements OnModuleInit, OnApplicationShutdown {
    /** Where records wait while CloudWatch cannot take them; null: such records fail (counted). */
    outbox: CloudWatchOutbox | null = null;

    /** Called once, in the store's constructor; `name` names the outbox in the log. */
    protected openOutbox(
      name: string,
      deliver: DeliverEvents,
      outage: OutageSettings | undefined,
    ): CloudWatchOutbox | null {
      this.outbox = outage
        ? new CloudWatchOutbox(name, deliver, outage.limits, outage.schedule)
        : null;
      return this.outbox;
    }

    /** Delivers what a previous run left in the spill file. */
    onModuleInit(): void {
      this.outbox?.start();
    }

    /**
     * After the writers flushed (the scheduler its run records): what CloudWatch has not taken
     * goes to disk, for the next start.
     */
    async onApplicationShutdown(): Promise<void> {
      await this.outbox?.close();
    }

    override get heldRecords(): HeldRecords | null {
      return this.outbox;
    }
  }
  return StoreWithOutbox;
}

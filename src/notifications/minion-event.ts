/**
 * What minion reports to its notification channels (the original's eventReporters): its start,
 * every failed run attempt (`final` when no retry follows), and occurrences that did not run
 * (missed after downtime, skipped).
 */
export type MinionEvent =
  | { type: 'startup'; replica: string; org: string }
  | {
      type: 'run.failed';
      job: string;
      run_id: string;
      attempt: number;
      final: boolean;
      runner: string;
      error: string;
    }
  | { type: 'occurrence.missed'; job: string; run_id: string; count: number; error: string }
  | { type: 'occurrence.skipped'; job: string; run_id: string; error: string };

/** One line of text for chat: the original's wording where it had one. */
export function eventText(event: MinionEvent): string {
  switch (event.type) {
    case 'startup':
      return `Starting minion (id: ${event.replica}, org: ${event.org})`;
    case 'run.failed':
      return (
        `failed running job (${event.attempt} tries) ${event.job}: ${event.error}` +
        (event.final ? ' (final attempt)' : ' (will retry)')
      );
    case 'occurrence.missed':
      return `missed ${event.count} occurrence(s) of job ${event.job}: ${event.error}`;
    case 'occurrence.skipped':
      return `skipped occurrence ${event.run_id}: ${event.error}`;
  }
}

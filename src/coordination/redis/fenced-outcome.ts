import { AttemptOutcome } from '../../domain/attempt';
import { FENCED_PREFIX, SUCCEEDED_BEFORE_FENCED } from '../../domain/fence';

/**
 * What a fenced attempt records: `interrupted` (never alerted, never retried here: the replica
 * that took the occurrence over runs it and records its own outcome), saying so, and whether
 * this attempt had acted before it learnt it (only when it acted before its claim was lost,
 * e.g. frozen while waiting for its target state).
 */
export function fencedOutcome(outcome: AttemptOutcome, lost: string): AttemptOutcome {
  const startedAt = outcome.startedAt;
  const runner = 'runner' in outcome ? outcome.runner : undefined;
  if (outcome.status === 'interrupted' && outcome.reason.startsWith(FENCED_PREFIX)) {
    return { ...outcome, reason: `${outcome.reason}; this attempt did not act` };
  }
  const before =
    outcome.status === 'succeeded'
      ? `; ${SUCCEEDED_BEFORE_FENCED}`
      : outcome.status === 'failed'
        ? `; this attempt had failed before it learnt it`
        : `; this attempt had come to ${outcome.status} before it learnt it`;
  return {
    status: 'interrupted',
    reason: `${FENCED_PREFIX} (${lost})${before}`,
    ...('requestId' in outcome ? { requestId: outcome.requestId } : {}),
    ...('outcome' in outcome ? { outcome: outcome.outcome } : {}),
    startedAt,
    runner,
  };
}

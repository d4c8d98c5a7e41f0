import { Clock } from '../common/clock';
import { RunOutcome, TargetState, WaitEnd, WaitLimits } from '../domain/outcome';

/** Time a waiter may overrun its own limit (a describe call in flight) before it is cut off. */
const WAIT_GRACE_MS = 60_000;
/** Time a waiter gets, once aborted, to answer with the last state it saw. */
const ABORT_GRACE_MS = 2_000;

/**
 * The outcome of an action: already there (no wait), not waited for (the job said `wait:
 * "false"`), or how the runner's wait ended. `signal` ends the wait early (shutdown).
 */
export async function awaitTarget(
  target: TargetState,
  limits: WaitLimits | null,
  signal: AbortSignal,
  clock: Clock,
): Promise<RunOutcome> {
  const base = { resource: target.resource, target: target.state, before: target.before };
  if (target.already) return { ...base, result: 'already', state: target.before, waited_ms: 0 };
  if (!limits || !target.wait) {
    return { ...base, result: 'not waited', state: null, waited_ms: 0 };
  }
  const wait = target.wait;
  const started = clock.now().getTime();
  const end = await boundedWait((s) => wait(limits, s), limits.timeoutMs + WAIT_GRACE_MS, signal);
  const now = clock.now();
  return {
    ...base,
    result: end.result,
    state: end.result === 'reached' ? (end.state ?? target.state) : end.state,
    ...(end.result === 'reached' ? { reached_at: now.toISOString() } : {}),
    waited_ms: now.getTime() - started,
    ...(end.detail ? { detail: end.detail } : {}),
  };
}

/** Why a run whose action was taken did not count as succeeded, in one sentence. */
export function outcomeError(o: RunOutcome, limits: WaitLimits | null): string {
  const seen = o.state ? ` (last seen: ${o.state})` : '';
  switch (o.result) {
    case 'timeout':
      return `${o.resource} did not reach ${o.target} within ${duration(limits?.timeoutMs ?? 0)}${seen}`;
    case 'elsewhere':
      return `${o.resource} went to ${o.state ?? 'another state'} instead of ${o.target}`;
    case 'refused':
      return (
        `the action was taken, but whether ${o.resource} reaches ${o.target} could not be checked: ` +
        `${o.detail ?? 'access denied'}. Allow the describe call, or set details.wait to "false"`
      );
    case 'interrupted':
      return `stopped waiting for ${o.resource} to reach ${o.target}${seen}: ${o.detail ?? 'interrupted'}; the action was taken`;
    default:
      return `${o.resource}: ${o.result}`;
  }
}

/** "90s", "10m", "1h30m": as the durations in config are written. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || (!h && !m) ? `${rest}s` : ''}`;
}

/**
 * Runs a waiter with a signal that `parent` (shutdown) aborts. The waiter answers for itself
 * (with the last state it saw) when it can; one that ignores its signal is cut off after a grace,
 * and one that overruns `hardMs` is ended as a timeout.
 */
async function boundedWait(
  wait: (signal: AbortSignal) => Promise<WaitEnd>,
  hardMs: number,
  parent: AbortSignal,
): Promise<WaitEnd> {
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const cutOff = new Promise<WaitEnd>((resolve) => {
    timers.push(
      setTimeout(() => {
        controller.abort(new Error(`the wait overran its limit by ${WAIT_GRACE_MS} ms`));
        resolve({ result: 'timeout', state: null });
      }, hardMs),
    );
    const afterAbort = () =>
      timers.push(
        setTimeout(() => {
          const reason = controller.signal.reason as Error | undefined;
          resolve({ result: 'interrupted', state: null, detail: reason?.message });
        }, ABORT_GRACE_MS),
      );
    if (controller.signal.aborted) afterAbort();
    else controller.signal.addEventListener('abort', afterAbort, { once: true });
  });
  try {
    return await Promise.race([
      wait(controller.signal).catch((err: unknown): WaitEnd => ({
        result: 'interrupted',
        state: null,
        detail: (err as Error)?.message ?? String(err),
      })),
      cutOff,
    ]);
  } finally {
    timers.forEach(clearTimeout);
    parent.removeEventListener('abort', onParentAbort);
  }
}

import { pause } from '../common/pause';
import { Clock } from '../common/clock';
import { isAccessDenied } from '../runners/aws/aws-errors';
import { FleetSummary, FleetTarget, FLEET_SUCCESS, ResourceOutcome } from '../domain/fleet';
import { WaitLimits } from '../domain/outcome';

export interface FleetEnd {
  resources: ResourceOutcome[];
  summary: FleetSummary;
}

/**
 * Waits, bounded, for every member of a fleet the action was taken on to reach its target
 * state, polling them together (one describe per page of ids, not one per resource), from
 * `minDelayMs` doubling to `maxDelayMs`. Each member ends on its own: reached (with when and how
 * long after its action), elsewhere, or, at the limit or at shutdown, timeout or interrupted with
 * the state last seen. Skipped, already-there and failed members are settled before any wait.
 */
export async function awaitFleet(
  fleet: FleetTarget,
  limits: WaitLimits | null,
  signal: AbortSignal,
  clock: Clock,
): Promise<FleetEnd> {
  const out = new Map<string, ResourceOutcome>();
  const pending = new Map<
    string,
    { before: string | null; actedAt: number; state: string | null }
  >();
  for (const m of fleet.members) {
    if (m.skipped)
      out.set(m.id, { id: m.id, result: 'skipped', before: m.before, detail: m.skipped });
    else if (m.already)
      out.set(m.id, { id: m.id, result: 'already', before: m.before, state: m.before });
    else if (m.error)
      out.set(m.id, { id: m.id, result: 'failed', before: m.before, detail: m.error });
    else
      pending.set(m.id, {
        before: m.before,
        actedAt: m.actedAt ?? clock.now().getTime(),
        state: null,
      });
  }
  const poll = fleet.poll;
  if (poll && limits && pending.size > 0) {
    const started = clock.now().getTime();
    let delay = limits.minDelayMs;
    while (pending.size > 0 && !signal.aborted) {
      const left = started + limits.timeoutMs - clock.now().getTime();
      if (left <= 0) break;
      if (!(await pause(Math.min(delay, left), signal))) break;
      delay = Math.min(delay * 2, limits.maxDelayMs);
      let seen;
      try {
        seen = await poll([...pending.keys()], signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isAccessDenied(err)) {
          const detail = `${(err as Error).name}: ${(err as Error).message}`;
          settle('refused', detail);
          break;
        }
        continue; // a describe that failed says nothing about the fleet: poll again
      }
      const now = clock.now();
      for (const [id, { verdict, state }] of seen) {
        const p = pending.get(id);
        if (!p) continue;
        p.state = state;
        if (verdict === 'pending') continue;
        pending.delete(id);
        out.set(id, {
          id,
          result: verdict,
          before: p.before,
          state,
          ...(verdict === 'reached' ? { reached_at: now.toISOString() } : {}),
          ms: Math.max(0, now.getTime() - p.actedAt),
        });
      }
    }
    settle(signal.aborted ? 'interrupted' : 'timeout');
  } else {
    settle('not waited');
  }
  const resources = fleet.members.map((m) => out.get(m.id) as ResourceOutcome);
  return { resources, summary: summarize(fleet, resources) };

  /** Every member still pending ends as `result`, with the state last seen. */
  function settle(result: ResourceOutcome['result'], detail?: string): void {
    const now = clock.now().getTime();
    for (const [id, p] of pending) {
      out.set(id, {
        id,
        result,
        before: p.before,
        state: p.state,
        ms: Math.max(0, now - p.actedAt),
        ...(detail ? { detail } : {}),
      });
    }
    pending.clear();
  }
}

function summarize(fleet: FleetTarget, resources: ResourceOutcome[]): FleetSummary {
  const count = (r: ResourceOutcome['result']) => resources.filter((x) => x.result === r).length;
  const skipped = count('skipped');
  const already = count('already');
  return {
    selector: fleet.selector,
    target: fleet.state,
    matched: resources.length,
    skipped,
    already,
    acted: resources.length - skipped - already,
    reached: count('reached') + count('not waited'),
    missed: resources.filter((x) => !FLEET_SUCCESS.includes(x.result)).length,
  };
}

/** "998 of 999 instances reached stopped; not: i-1 (failed: ...), i-2 (timeout, last seen pending)". */
export function fleetSentence(kind: string, end: FleetEnd, limit = 10): string {
  const s = end.summary;
  const head =
    `${s.reached + s.already} of ${s.matched - s.skipped} ${kind}(s) matching ${s.selector} ` +
    `are ${s.target}` +
    (s.already ? ` (${s.already} already were)` : '') +
    (s.skipped ? `; ${s.skipped} skipped (skip tag)` : '');
  if (s.missed === 0) return head;
  const missed = end.resources.filter((r) => !FLEET_SUCCESS.includes(r.result));
  const named = missed
    .slice(0, limit)
    .map(
      (r) =>
        `${r.id} (${r.result}${r.detail ? `: ${r.detail}` : r.state ? `, last seen ${r.state}` : ''})`,
    );
  const more = missed.length > limit ? ` and ${missed.length - limit} more` : '';
  return `${head}; ${s.missed} did not: ${named.join('; ')}${more}`;
}

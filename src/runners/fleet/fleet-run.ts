import { isThrottlingError } from '@smithy/core/retry';
import { RunnerError } from '../../common/errors';
import { pause } from '../../common/pause';
import { mapWithConcurrency } from '../../common/concurrency';
import {
  FleetMember,
  FleetPoll,
  FleetPreview,
  FleetTarget,
  FLEET_PREVIEW_IDS,
} from '../../domain/fleet';
import { awsRunnerError, isAccessDenied } from '../aws/aws-errors';
import { FleetSettings } from './fleet-settings';
import { skipReason } from './skip-tag';
import { TagSelector } from './tag-selector';

/** A resource the selector matched, as described. */
export interface Matched {
  id: string;
  state: string | null;
  tags: Record<string, string>;
  /** Why the resource kind leaves this one alone, whatever its tags (an Aurora cluster's instance). */
  leftAlone?: string;
}

/** What one resource kind tells the fleet engine: how to find, judge, act on and poll its members. */
export interface FleetOps {
  /** `instance`, `database`, `group`, `service`. */
  kind: string;
  /** The state the action aims at (`stopped`). */
  state: string;
  /** Every resource carrying the tags now (paginated, paced). */
  resolve(signal: AbortSignal): Promise<Matched[]>;
  /** Whether a member described in `state` is where the action would take it already. */
  isAt(state: string | null, id: string): boolean;
  /** Whether a member is on its way there already (an RDS database `starting`): waited for, not asked again. */
  onTheWay?(state: string | null, id: string): boolean;
  /** Ids per call: several where the API takes them (EC2), else 1. */
  batchSize: number;
  /** Acts on these ids in one call; throws as the SDK does. */
  act(ids: string[], signal: AbortSignal): Promise<void>;
  /** The state of each id now; an id the answer lacks is gone (null). */
  describe(ids: string[], signal: AbortSignal): Promise<Map<string, string | null>>;
  /** A described state while waiting: there, still on its way, or somewhere the action cannot lead. */
  judge(state: string | null, id: string): 'reached' | 'pending' | 'elsewhere';
}

export interface FleetContext {
  selector: TagSelector;
  settings: FleetSettings;
  /** The job's `max_resources` (within the runner's). */
  limit: number;
  /** For messages: the account and the role used. */
  identity: string;
  now: () => Date;
  signal: AbortSignal;
  /** Whether the job waits for its target state (`wait: "false"` does not). */
  waits: boolean;
}

/** Calls retried while the service throttles them: a throttled call is never a resource's failure. */
const THROTTLE_DELAYS_MS = [200, 500, 1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * Acts on every resource a selector matches now: resolved at run time (so the fleet is what
 * carries the tags at that minute), each skipped while its skip tag says so, left alone when it
 * is at the target already, acted on in batches with bounded concurrency otherwise. One
 * resource's failure never stops the others: a batch the service refuses is tried id by id, so
 * the refusal lands on the resource it concerns. A selector matching more than `limit` acts on
 * none (RunnerError, permanent); one matching nothing is an empty fleet (the run is skipped).
 */
export async function actOnFleet(ops: FleetOps, ctx: FleetContext): Promise<FleetTarget> {
  const matched = await ops.resolve(ctx.signal);
  if (matched.length > ctx.limit) {
    throw new RunnerError(
      `the tag selector ${ctx.selector.text} matched ${matched.length} ${ops.kind}s, more than the limit of ${ctx.limit} (details.max_resources, or the runner's maxResources): acted on none`,
      true,
    );
  }
  const now = ctx.now();
  const members: FleetMember[] = matched.map((m) => {
    const skipped = m.leftAlone ?? skipReason(m.tags, ctx.settings.skipTag, now);
    if (skipped) return { id: m.id, before: m.state, skipped };
    return { id: m.id, before: m.state, ...(ops.isAt(m.state, m.id) ? { already: true } : {}) };
  });
  const onTheWay = members.filter(
    (m) => !m.skipped && !m.already && ops.onTheWay?.(m.before, m.id),
  );
  onTheWay.forEach((m) => (m.actedAt = now.getTime()));
  const toAct = members.filter((m) => !m.skipped && !m.already && !onTheWay.includes(m));
  const batches: FleetMember[][] = [];
  for (let i = 0; i < toAct.length; i += ops.batchSize) {
    batches.push(toAct.slice(i, i + ops.batchSize));
  }
  await mapWithConcurrency(batches, ctx.settings.actConcurrency, (batch) =>
    actOnBatch(ops, batch, ctx),
  );
  const acted = [...onTheWay, ...toAct.filter((m) => !m.error)];
  return {
    kind: ops.kind,
    selector: ctx.selector.text,
    state: ops.state,
    members,
    poll: ctx.waits && acted.length > 0 ? pollOf(ops) : null,
  };
}

/** A batch in one call; a refused batch id by id, so each refusal lands on its resource. */
async function actOnBatch(ops: FleetOps, batch: FleetMember[], ctx: FleetContext): Promise<void> {
  try {
    await throttled(
      () =>
        ops.act(
          batch.map((m) => m.id),
          ctx.signal,
        ),
      ctx.signal,
    );
    const at = ctx.now().getTime();
    batch.forEach((m) => (m.actedAt = at));
    return;
  } catch (err) {
    if (ctx.signal.aborted) {
      // The run's limit (or shutdown) came first: this batch was not acted on, or not answered.
      const why = (ctx.signal.reason as Error | undefined)?.message ?? 'aborted';
      batch.forEach((m) => (m.error = `not done (${why}): not acted on, or not answered`));
      return;
    }
    if (batch.length === 1 || isAccessDenied(err)) {
      const why = describeError(err, `${ops.kind} ${batch[0].id}`, ctx.identity);
      batch.forEach((m) => (m.error = batch.length === 1 ? why : `${why} (the whole batch)`));
      return;
    }
  }
  for (const member of batch) await actOnBatch(ops, [member], ctx);
}

/** Retries a call the service throttles, paced by the delays above, until it answers otherwise. */
async function throttled<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (!isThrottlingError(err as never) || i >= THROTTLE_DELAYS_MS.length) throw err;
      if (!(await pause(THROTTLE_DELAYS_MS[i] * (0.5 + Math.random()), signal))) throw err;
    }
  }
}

function describeError(err: unknown, what: string, identity: string): string {
  return awsRunnerError(err, what, identity).message;
}

/** The poll the executor calls while waiting: the pending ids described, those that ended said. */
function pollOf(ops: FleetOps): FleetPoll {
  return async (pending, signal) => {
    const states = await throttled(() => ops.describe([...pending], signal), signal);
    const seen: Awaited<ReturnType<FleetPoll>> = new Map();
    for (const id of pending) {
      if (!states.has(id)) seen.set(id, { verdict: 'elsewhere', state: 'not found' });
      else {
        const state = states.get(id) ?? null;
        seen.set(id, { verdict: ops.judge(state, id), state });
      }
    }
    return seen;
  };
}

/** What the selector matches now, without acting: for dry runs. */
export async function previewFleet(ops: FleetOps, ctx: FleetContext): Promise<FleetPreview> {
  const matched = await ops.resolve(ctx.signal);
  const now = ctx.now();
  const skipped: FleetPreview['skipped_ids'] = [];
  const acting: string[] = [];
  let already = 0;
  for (const m of matched) {
    const reason = m.leftAlone ?? skipReason(m.tags, ctx.settings.skipTag, now);
    if (reason) skipped.push({ id: m.id, reason });
    // On its way there (a database `starting`) is not acted on either.
    else if (ops.isAt(m.state, m.id) || ops.onTheWay?.(m.state, m.id)) already++;
    else acting.push(m.id);
  }
  return {
    selector: ctx.selector.text,
    matched: matched.length,
    acting: acting.length,
    ids: acting.slice(0, FLEET_PREVIEW_IDS),
    skipped: skipped.length,
    skipped_ids: skipped.slice(0, FLEET_PREVIEW_IDS),
    already,
    limit: ctx.limit,
    refused: matched.length > ctx.limit,
  };
}

/** "12 instances match Schedule=office-hours: 10 would stop, 1 stopped already, 1 skipped (tag)". */
export function previewSentence(kind: string, verb: string, p: FleetPreview): string {
  if (p.refused) {
    return `${p.matched} ${kind}s match ${p.selector}, more than the limit of ${p.limit}: ${verb} would act on none`;
  }
  if (p.matched === 0)
    return `no ${kind} matches ${p.selector}: ${verb} would do nothing (skipped)`;
  const parts = [`${p.acting} would ${verb}`];
  if (p.already > 0) parts.push(`${p.already} already there`);
  if (p.skipped > 0) parts.push(`${p.skipped} skipped (skip tag)`);
  return `${p.matched} ${kind}(s) match ${p.selector}: ${parts.join(', ')}`;
}

import { LuaScript } from './lua-script';

/** How long an occurrence's batch state is kept: as long as a finished BullMQ job. */
export const KEEP_S = 3600;

/** The key of an occurrence's batch state (see OccurrenceState). */
export function occurrenceStateKey(prefix: string, occurrenceId: string): string {
  return `${prefix}:occ:${occurrenceId}`;
}

/**
 * The state of one occurrence of a batch, in its own key (`<prefix>:occ:<occurrence id>`, kept
 * an hour like a finished BullMQ job), so that whichever batch holds the occurrence first owns
 * it, even when two replicas batched the same tick differently (a takeover):
 *   run|<batch>|<run token>|<attempt mark JSON>   claimed by that batch, an attempt started
 *   done|<batch>                                  settled (an outcome recorded)
 *   handed|<batch>|<attempts used>                given to the one-job-per-occurrence path
 *                                                 (busy job, retry, lost attempt)
 */
export type OccurrenceState =
  | { state: 'claimed' }
  | { state: 'busy' }
  | { state: 'done' }
  | { state: 'other' }
  | { state: 'handed'; used: number }
  | { state: 'lost'; runToken: string; mark: string };

/**
 * Claims a slice of a batch in one round trip, only while this worker holds the batch's BullMQ
 * lock (KEYS[1] = lock, ARGV[1] = its token; otherwise 'fenced'). Per occurrence (KEYS: state
 * key, job's running lock; ARGV[5 + i]: a run token): no state yet -> take the job's running
 * lock (the per-job no-overlap of RedisJobLock, same key) and write `run`, or, the job running
 * elsewhere, write `handed|..|0` (it waits on the one-job path); a state of another batch ->
 * 'other' (that batch settles it); of this batch -> what it says (a `run` is an attempt lost
 * with the worker that held the batch before).
 * ARGV: token, batch id, lock ttl ms, keep s, attempt mark JSON, run tokens...
 * Answers { the lock's remaining ms (PTTL, read in the same step: see claim-lease.ts), states }.
 */
export const CLAIM = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'fenced' end
local ttl = redis.call('PTTL', KEYS[1])
local out = {}
local n = (#KEYS - 1) / 2
for i = 1, n do
  local occ = KEYS[2 * i]
  local running = KEYS[2 * i + 1]
  local v = redis.call('GET', occ)
  if not v then
    if redis.call('SET', running, ARGV[5 + i], 'PX', ARGV[3], 'NX') then
      redis.call('SET', occ, 'run|' .. ARGV[2] .. '|' .. ARGV[5 + i] .. '|' .. ARGV[5], 'EX', ARGV[4])
      out[i] = 'claimed'
    else
      redis.call('SET', occ, 'handed|' .. ARGV[2] .. '|0', 'EX', ARGV[4])
      out[i] = 'busy'
    end
  else
    local s, b, rest = string.match(v, '^(%a+)|([^|]*)|?(.*)$')
    if b ~= ARGV[2] then out[i] = 'other' else out[i] = s .. '|' .. rest end
  end
end
return {ttl, out}`);

export function parseClaim(answer: string): OccurrenceState {
  if (answer === 'claimed' || answer === 'busy' || answer === 'other') return { state: answer };
  const [state, ...rest] = answer.split('|');
  if (state === 'done') return { state: 'done' };
  if (state === 'handed') return { state: 'handed', used: Number(rest[0] ?? 0) };
  if (state === 'run')
    return { state: 'lost', runToken: rest[0] ?? '', mark: rest.slice(1).join('|') };
  throw new Error(`unexpected occurrence state ${answer}`);
}

/**
 * Settles occurrences' states while this worker still holds the batch (the fence check before
 * their outcomes become history, in the same round trip): writes each state and, given a run
 * token, releases the job's running lock if it is still that run's. Without the batch's lock
 * only the running locks are released (as after any attempt) and the answer says what was
 * found: the worker that took the batch over settles the occurrences. Several at once: the
 * settles of one batch made in one turn of the event loop share a call (BatchSettler).
 * KEYS: batch lock, then per occurrence its state key and its job's running lock;
 * ARGV: token, keep s, then per occurrence its state and run token ('' for none).
 */
export const SETTLE = new LuaScript(`
local v = redis.call('GET', KEYS[1])
local held = v == ARGV[1]
for i = 1, (#KEYS - 1) / 2 do
  local token = ARGV[2 + 2 * i]
  if token ~= '' and redis.call('GET', KEYS[2 * i + 1]) == token then redis.call('DEL', KEYS[2 * i + 1]) end
  if held then redis.call('SET', KEYS[2 * i], ARGV[1 + 2 * i], 'EX', ARGV[2]) end
end
if held then return 1 end
if v then return 'held by another worker' end
return 'the lock expired'`);

/** Renews a running lock while it is still `ARGV[1]`'s (RedisJobLock's renewal). */
export const RENEW = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`);

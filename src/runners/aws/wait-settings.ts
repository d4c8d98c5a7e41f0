import { InvalidFieldError } from '../../common/errors';
import { parseDuration } from '../../common/duration';
import { MIGRATION_GUIDE } from '../../common/migration-guide';
import { WaitLimits } from '../../domain/outcome';
import { oneOf } from './details';

/** The keys of an AWS runner's `config` that bound the wait for the target state. */
const CONFIG_KEYS = {
  waitTimeout: 'timeoutMs',
  waitPollMin: 'minDelayMs',
  waitPollMax: 'maxDelayMs',
};
const LEGACY_KEYS = ['endpointTemplate', 'token'];
const MAX_WAIT_MS = 6 * 3_600_000;
const MIN_POLL_MS = 10;

/**
 * The wait limits of one runner: the type's defaults, overridden by the runner's `config`
 * (Go duration strings). Throws naming the key; the original's HTTP-API settings are refused
 * with the migration hint.
 */
export function waitSettings(
  config: Record<string, unknown> | undefined,
  defaults: WaitLimits,
  /** Other keys the runner reads itself (its fleet settings). */
  otherKeys: readonly string[] = [],
): WaitLimits {
  const keys = Object.keys(config ?? {});
  const legacy = keys.filter((k) => LEGACY_KEYS.includes(k));
  if (legacy.length > 0) {
    throw new Error(
      `${legacy.join(', ')}: not used. The original reached AWS through internal HTTP APIs ` +
        "(endpointTemplate, token); minion calls AWS directly with the AWS SDK. Remove these keys of the runner's " +
        '"config" and give each account "region" and, to assume a role, "role_arn" ' +
        `(credentials otherwise come from the default AWS credential chain). See ${MIGRATION_GUIDE}.`,
    );
  }
  const limits = { ...defaults };
  for (const key of keys) {
    if (otherKeys.includes(key)) continue;
    if (!(key in CONFIG_KEYS)) {
      const allowed = [...Object.keys(CONFIG_KEYS), ...otherKeys];
      throw new Error(`${key}: unknown key (allowed: ${allowed.join(', ')})`);
    }
    const value = config?.[key];
    const ms = typeof value === 'string' ? parseDuration(value) : null;
    if (ms === null || ms < MIN_POLL_MS || ms > MAX_WAIT_MS) {
      throw new Error(
        `${key}: ${JSON.stringify(value)} must be a duration from 10ms to 6h, such as "90s" or "20m"`,
      );
    }
    limits[CONFIG_KEYS[key as keyof typeof CONFIG_KEYS] as keyof WaitLimits] = ms;
  }
  if (limits.minDelayMs > limits.maxDelayMs) {
    throw new Error(
      `waitPollMin (${limits.minDelayMs} ms) is more than waitPollMax (${limits.maxDelayMs} ms)`,
    );
  }
  if (limits.timeoutMs <= limits.minDelayMs) {
    throw new Error(
      `waitTimeout (${limits.timeoutMs} ms) must be more than waitPollMin (${limits.minDelayMs} ms)`,
    );
  }
  return limits;
}

/**
 * A job's own say on the wait: `wait: "false"` skips it (the run records the call only), and
 * `wait_timeout` ("10m") replaces the runner's timeout. Null when there is no wait.
 */
export function jobWaitLimits(
  details: Record<string, string>,
  runner: WaitLimits,
): WaitLimits | null {
  if (oneOf(details, 'wait', ['true', 'false'], 'true') === 'false') return null;
  const raw = details.wait_timeout;
  if (raw === undefined || raw === '') return runner;
  const ms = parseDuration(raw);
  if (ms === null || ms < 1000 || ms > MAX_WAIT_MS) {
    throw new InvalidFieldError(
      'job.details.wait_timeout',
      `"${raw.slice(0, 100)}" must be a duration from 1s to 6h, such as "10m" or "90s"`,
    );
  }
  return {
    timeoutMs: ms,
    minDelayMs: Math.min(runner.minDelayMs, ms / 2),
    maxDelayMs: Math.min(runner.maxDelayMs, ms / 2),
  };
}

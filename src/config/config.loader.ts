import { apiKeyProblems } from '../auth/api-keys.config';
import { calendarProblems } from '../calendars/calendars.config';
import { RedisProviderOptions } from '../coordination/coordination.config';
import { redisOptionProblems } from '../coordination/redis-provider.config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSafeSegment, SAFE_SEGMENT_RULE } from '../common/safe-segment';
import { validationMessages } from '../common/validation-messages';
import { canonicalKeys, isPlainObject } from '../common/validators/canonical-keys';
import { parseCommandLine } from './command-line';
import { lenientValues } from './lenient-values';
import { MinionConfig } from './minion-config';
import { MinionSettings, resolveSettings } from './settings';

export class ConfigError extends Error {}

export interface ConfigSource {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What `npm start` runs on with no configuration at all: one local account, the dummy runner. */
export const EMBEDDED_DEFAULT = {
  org: 'local',
  accounts: { local: { runners: ['dummyRunner'] } },
  jobRunners: { dummyRunner: { type: 'dummy', config: { template: 'Hello, {{.Account}}!' } } },
  jobsRepository: { type: 'file', refreshInterval: '5m', config: { path: './data' } },
};

interface RawConfig {
  origin: string;
  data: Record<string, unknown>;
}

/**
 * Loads, overrides and validates the configuration once at startup. Precedence of sources:
 * `-config <file>` (or `--config`), then `MINION_CONFIG_FILE`, then `API_CONFIG` (raw or base64
 * JSON), then `config/config.json` when present, then the embedded default. `MINION_TOKEN`,
 * `PORT` and `MINION_DATA_DIR` override whatever the source says.
 *
 * As the original read its config: keys match case-insensitively, unknown keys are ignored (each
 * is a startup warning, in `config.notes`), and values it accepted still start, with a note of
 * what each means now. Values that would be unsafe to guess stop startup, naming the key.
 */
export function loadConfig(source: ConfigSource = processSource()): MinionSettings {
  const { configFile } = parseCommandLine(source.argv);
  const { origin, data } = readRaw(source, configFile);
  const notes: string[] = [];
  const canonical = canonicalKeys(untypedLogProvider(data), MinionConfig);
  for (const key of canonical.unknown) notes.push(`unknown configuration key "${key}" is ignored`);
  if (canonical.reserved.length > 0) {
    throw new ConfigError(
      `invalid configuration (${origin}): ${canonical.reserved[0]} is reserved`,
    );
  }
  const raw = applyDefaults(canonical.value as Record<string, unknown>);
  lenientValues(raw, notes);
  applyEnvOverrides(raw, source.env);
  let tokenGenerated = false;
  if (raw.token === undefined || raw.token === '' || raw.token === null) {
    raw.token = randomBytes(24).toString('base64url');
    tokenGenerated = true;
  }
  const config = plainToInstance(MinionConfig, raw);
  const messages = validationMessages(validateSync(config, { whitelist: true }));
  // Cross-key rules only make sense once every key has the right shape.
  if (messages.length === 0) messages.push(...crossCheck(config, notes));
  if (messages.length > 0) {
    throw new ConfigError(`invalid configuration (${origin}): ${messages.join('; ')}`);
  }
  const testClock = testClockOf(source.env, notes);
  return resolveSettings(config, { tokenGenerated, notes, env: source.env, testClock });
}

/**
 * MINION_TEST_CLOCK, for the fault suite (test/chaos): `{"at": ISO time, "realMs": epoch ms,
 * "speed": n}` makes minion's clock read `at` at the real instant `realMs` and run `speed` times
 * as fast (see ScaledClock). Replicas must run on real minutes in production: refused there.
 */
function testClockOf(
  env: ConfigSource['env'],
  notes: string[],
): { atMs: number; realMs: number; speed: number } | undefined {
  const raw = env.MINION_TEST_CLOCK;
  if (raw === undefined || raw === '') return undefined;
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      'MINION_TEST_CLOCK is for tests only and is refused when NODE_ENV=production',
    );
  }
  let value: { at?: unknown; realMs?: unknown; speed?: unknown };
  try {
    value = JSON.parse(raw) as typeof value;
  } catch {
    throw new ConfigError(
      'MINION_TEST_CLOCK must be JSON: {"at": ISO time, "realMs": epoch ms, "speed": n}',
    );
  }
  const atMs = typeof value?.at === 'string' ? Date.parse(value.at) : NaN;
  const realMs = typeof value?.realMs === 'number' ? value.realMs : NaN;
  const speed = value?.speed === undefined ? 1 : value.speed;
  if (Number.isNaN(atMs)) throw new ConfigError('MINION_TEST_CLOCK.at must be an ISO time');
  if (!Number.isFinite(realMs))
    throw new ConfigError('MINION_TEST_CLOCK.realMs must be epoch milliseconds');
  if (typeof speed !== 'number' || !(speed >= 1 && speed <= 600)) {
    throw new ConfigError('MINION_TEST_CLOCK.speed must be a number from 1 to 600');
  }
  notes.push(
    `MINION_TEST_CLOCK is set: minion's clock is a test clock (${value.at as string} at ${new Date(realMs).toISOString()}, ${speed}x); never use it in production`,
  );
  return { atMs, realMs, speed };
}

export function processSource(): ConfigSource {
  return { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() };
}

function readRaw(source: ConfigSource, configFile: string | undefined): RawConfig {
  const file = configFile ?? source.env.MINION_CONFIG_FILE;
  if (file) return readFile(resolve(source.cwd, file));
  const inline = source.env.API_CONFIG;
  if (inline && inline.trim() !== '') {
    const text = inline.trim().startsWith('{')
      ? inline
      : Buffer.from(inline.trim(), 'base64').toString('utf8');
    return { origin: 'API_CONFIG', data: parseJson(text, 'API_CONFIG') };
  }
  const fallback = resolve(source.cwd, 'config/config.json');
  if (existsSync(fallback)) return readFile(fallback);
  return { origin: 'embedded default', data: structuredClone(EMBEDDED_DEFAULT) };
}

function readFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code}`,
    );
  }
  return { origin: path, data: parseJson(text, path) };
}

function parseJson(text: string, origin: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Only the position: the parser's message may quote the text, which can hold the token.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError(
      `config from ${origin} is not valid JSON${position ? ` (at position ${position})` : ''}`,
    );
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`config from ${origin} must be a JSON object`);
  }
  return parsed;
}

function applyDefaults(data: Record<string, unknown>): Record<string, unknown> {
  return {
    listenAddress: ':8080',
    logLevel: 'info',
    accounts: {},
    jobRunners: {},
    jobsRepository: EMBEDDED_DEFAULT.jobsRepository,
    ...data,
  };
}

/**
 * The original's `logProvider` is `{region, akid, secret}` with no type: it meant CloudWatch Logs.
 * It is read as `{type: "cloudwatch", config: {region, akid, secret}}` (keys in any case).
 */
function untypedLogProvider(data: Record<string, unknown>): Record<string, unknown> {
  const key = Object.keys(data).find((k) => k.toLowerCase() === 'logprovider');
  const value = key === undefined ? undefined : data[key];
  if (!isPlainObject(value) || Object.keys(value).some((k) => k.toLowerCase() === 'type')) {
    return data;
  }
  return { ...data, [key as string]: { type: 'cloudwatch', config: value } };
}

function applyEnvOverrides(raw: Record<string, unknown>, env: ConfigSource['env']): void {
  if (env.MINION_TOKEN) raw.token = env.MINION_TOKEN;
  if (env.PORT) {
    const listen = typeof raw.listenAddress === 'string' ? raw.listenAddress : ':8080';
    raw.listenAddress = `${listen.slice(0, Math.max(0, listen.lastIndexOf(':')))}:${env.PORT}`;
  }
  const repo = raw.jobsRepository as
    { type?: unknown; config?: Record<string, unknown> } | undefined;
  if (env.MINION_DATA_DIR && repo && repo.type === 'file') {
    raw.jobsRepository = { ...repo, config: { ...(repo.config ?? {}), path: env.MINION_DATA_DIR } };
  }
}

/**
 * Rules that span keys. An account naming a runner `jobRunners` lacks starts (the original
 * started too) with a warning: that account's jobs using it fail their runs, each one recorded.
 */
function crossCheck(config: MinionConfig, notes: string[]): string[] {
  const problems: string[] = [];
  for (const [account, def] of Object.entries(config.accounts)) {
    if (!isSafeSegment(account)) {
      problems.push(`accounts.${account}: the account name ${SAFE_SEGMENT_RULE}`);
    }
    for (const [i, runner] of def.runners.entries()) {
      if (!(runner in config.jobRunners)) {
        notes.push(
          `accounts.${account}.runners[${i}]: "${runner}" is not in jobRunners (it has: ${
            Object.keys(config.jobRunners).join(', ') || 'none'
          }); jobs of ${account} using it fail each run`,
        );
      }
    }
  }
  if (config.queueProvider?.type === 'redis' && (config.logProvider?.type ?? 'file') === 'file') {
    notes.push(
      'several replicas with a file run log: each replica keeps the history of the runs it ran, ' +
        'unless all share the directory. Use logProvider "cloudwatch" for one history.',
    );
  }
  problems.push(...queueProviderProblems(config, notes));
  problems.push(...apiKeyProblems(config.apiKeys, config.token, Object.keys(config.accounts)));
  problems.push(...calendarProblems(config.calendars, Object.keys(config.accounts)));
  const repo = config.jobsRepository.config as { akid?: unknown; secret?: unknown };
  if (config.jobsRepository.type === 's3' && !repo.akid !== !repo.secret) {
    problems.push(
      'jobsRepository.config: give both akid and secret, or neither (default credential chain)',
    );
  }
  return problems;
}

/** The redis `queueProvider.config` rules across keys (one topology, Sentinel's name, TLS files). */
function queueProviderProblems(config: MinionConfig, notes: string[]): string[] {
  const provider = config.queueProvider;
  if (provider?.type !== 'redis') return [];
  const o = plainToInstance(RedisProviderOptions, provider.config ?? {});
  if (typeof o.tls === 'object' && o.tls.rejectUnauthorized === false) {
    notes.push(
      "queueProvider.config.tls.rejectUnauthorized is false: Redis's certificate is not checked (testing only)",
    );
  }
  return redisOptionProblems(o, 'queueProvider.config');
}

import { isPlainObject } from '../common/validators/canonical-keys';
import { LOG_LEVELS } from './minion-config';
import { MIGRATION_GUIDE } from '../common/migration-guide';

type Raw = Record<string, unknown>;

/**
 * Values the original accepted, read as it read them, each with a note saying what it means now
 * (logged at startup). Works on the canonical-key config before validation; what is still wrong
 * after this is refused by the validator, naming the key.
 */
export function lenientValues(raw: Raw, notes: string[]): void {
  logLevel(raw, notes);
  if (raw.listenAddress === '') raw.listenAddress = ':8080';
  const repo = objectAt(raw, 'jobsRepository');
  if (repo?.type === 's3') s3Options(objectAt(repo, 'config'), notes);
  const log = objectAt(raw, 'logProvider');
  if (log?.type === 'cloudwatch') awsOptions(objectAt(log, 'config'), 'logProvider.config', notes);
  const lock = objectAt(raw, 'lockProvider');
  if (lock) {
    notes.push(
      `lockProvider${typeof lock.ttl === 'string' ? ` (ttl ${lock.ttl})` : ''} is not used: ` +
        'with queueProvider redis, the replica that claims a tick enqueues it (the claim lives in that Redis), so no separate lock is needed',
    );
  }
  if (raw.version !== undefined) {
    notes.push('version is ignored: minion reports the version it was built as (GET /version)');
  }
  const reporters = objectAt(raw, 'eventReporters');
  if (reporters?.email !== undefined) {
    notes.push(
      `eventReporters.email is not supported: those alerts are not sent; use "slack" or "webhook" (${MIGRATION_GUIDE})`,
    );
  }
}

/** As logrus read it: any case, "warning" is warn, empty or unknown is info. */
function logLevel(raw: Raw, notes: string[]): void {
  if (typeof raw.logLevel !== 'string') return;
  const level = raw.logLevel.toLowerCase();
  const mapped = level === 'warning' ? 'warn' : level === '' ? 'info' : level;
  if ((LOG_LEVELS as readonly string[]).includes(mapped)) {
    if (mapped !== raw.logLevel) notes.push(`logLevel "${raw.logLevel}" means ${mapped}`);
    raw.logLevel = mapped;
    return;
  }
  notes.push(
    `logLevel "${raw.logLevel}" is not a level (${LOG_LEVELS.join(', ')}): using info, as the original did`,
  );
  raw.logLevel = 'info';
}

function s3Options(config: Raw | undefined, notes: string[]): void {
  if (!config) return;
  awsOptions(config, 'jobsRepository.config', notes);
  const prefix = config.prefix;
  if (prefix === undefined || prefix === '') {
    notes.push(
      'jobsRepository.config.prefix is empty: keys are "/<org>/<account>/<group>/<id>", as the original made them',
    );
  } else if (typeof prefix === 'string' && prefix.endsWith('/')) {
    notes.push(
      `jobsRepository.config.prefix ends with "/": keys are "${prefix}/<org>/...", as the original made them`,
    );
  }
}

/** Empty static keys mean the default credential chain; an endpoint without a scheme means https. */
function awsOptions(config: Raw | undefined, path: string, notes: string[]): void {
  if (!config) return;
  for (const key of ['akid', 'secret', 'token']) {
    if (config[key] === '') {
      delete config[key];
      if (key !== 'token')
        notes.push(`${path}.${key} is empty: using the default AWS credential chain`);
    }
  }
  const endpoint = config.endpoint;
  if (endpoint === '') delete config.endpoint;
  else if (typeof endpoint === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
    config.endpoint = `https://${endpoint}`;
    notes.push(`${path}.endpoint has no scheme: using https://${endpoint}`);
  }
}

function objectAt(raw: Raw, key: string): Raw | undefined {
  const value = raw[key];
  return isPlainObject(value) ? value : undefined;
}

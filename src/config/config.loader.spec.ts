import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerRegistry } from '../runners/runner-registry';
import { ConfigError, ConfigSource, loadConfig } from './config.loader';

const SECRET = 'super-secret-token-value';

function source(partial: Partial<ConfigSource> = {}): ConfigSource {
  return { argv: [], env: {}, cwd: mkdtempSync(join(tmpdir(), 'minion-cfg-')), ...partial };
}

const valid = {
  org: 'acme',
  token: SECRET,
  listenAddress: ':9090',
  logLevel: 'debug',
  accounts: { prod: { runners: ['dummyRunner'] } },
  jobRunners: { dummyRunner: { type: 'dummy', config: { template: 'Hi {{.Account}}' } } },
  jobsRepository: { type: 'file', refreshInterval: '60m', config: { path: '/var/minion' } },
};

function expectConfigError(src: ConfigSource, ...fragments: string[]): string {
  try {
    loadConfig(src);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const f of fragments) expect(message).toContain(f);
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts on the embedded default with no config at all, generating a token', () => {
    const config = loadConfig(source());
    expect(config.org).toBe('local');
    expect(Object.keys(config.accounts)).toEqual(['local']);
    expect(config.accounts.local.runners).toEqual(['dummyRunner']);
    expect(config.runners.runners.dummyRunner.type).toBe('dummy');
    expect(config.repository.store).toMatchObject({ type: 'file', path: './data' });
    expect(config.http.port).toBe(8080);
    expect(config.tokenGenerated).toBe(true);
    expect(config.token.length).toBeGreaterThanOrEqual(24);
    expect(loadConfig(source()).token).not.toBe(config.token);
  });

  it('reads API_CONFIG as raw JSON and as base64', () => {
    const raw = loadConfig(source({ env: { API_CONFIG: JSON.stringify(valid) } }));
    const b64 = loadConfig(
      source({ env: { API_CONFIG: Buffer.from(JSON.stringify(valid)).toString('base64') } }),
    );
    for (const c of [raw, b64]) {
      expect(c.org).toBe('acme');
      expect(c.http.port).toBe(9090);
      expect(c.logLevel).toBe('debug');
      expect(c.tokenGenerated).toBe(false);
      expect(c.repository.refreshIntervalMs).toBe(60 * 60_000);
    }
  });

  it('prefers --config over MINION_CONFIG_FILE over API_CONFIG over config/config.json', () => {
    const src = source();
    const write = (name: string, org: string) => {
      const path = join(src.cwd, name);
      writeFileSync(path, JSON.stringify({ ...valid, org }));
      return path;
    };
    mkdirSync(join(src.cwd, 'config'));
    write('config/config.json', 'fromdefaultfile');
    expect(loadConfig(src).org).toBe('fromdefaultfile');
    src.env.API_CONFIG = JSON.stringify({ ...valid, org: 'fromenv' });
    expect(loadConfig(src).org).toBe('fromenv');
    src.env.MINION_CONFIG_FILE = write('b.json', 'fromenvfile');
    expect(loadConfig(src).org).toBe('fromenvfile');
    write('a.json', 'fromflag');
    expect(loadConfig({ ...src, argv: ['--config', 'a.json'] }).org).toBe('fromflag');
    expect(loadConfig({ ...src, argv: ['--config=a.json'] }).org).toBe('fromflag');
  });

  it('lets MINION_TOKEN, PORT and MINION_DATA_DIR override the file', () => {
    const c = loadConfig(
      source({
        env: {
          API_CONFIG: JSON.stringify({ ...valid, listenAddress: '127.0.0.1:9090' }),
          MINION_TOKEN: 'other',
          PORT: '7000',
          MINION_DATA_DIR: '/srv/data',
        },
      }),
    );
    expect(c.token).toBe('other');
    expect(c.http.port).toBe(7000);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.repository.store).toMatchObject({ path: '/srv/data' });
  });

  it('accepts the AWS fields of an account', () => {
    const prod = {
      runners: ['dummyRunner'],
      region: 'eu-central-1',
      role_arn: 'arn:aws:iam::123456789012:role/path/minion-runner',
      external_id: 'shared-secret-id',
      session_name: 'minion@prod',
    };
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, accounts: { prod } }) } }),
    );
    expect(c.accounts.prod).toMatchObject(prod);
  });

  it("reads the original's untyped logProvider {region, akid, secret} as CloudWatch Logs", () => {
    const logProvider = { region: 'us-east-1', akid: 'AKIAEXAMPLE', secret: 'shh' };
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, logProvider }) } }),
    );
    expect(c.runLog.store).toEqual({
      type: 'cloudwatch',
      aws: {
        region: 'us-east-1',
        endpoint: undefined,
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh' },
      },
      retentionDays: 90,
      deleteLogs: false,
      // While CloudWatch cannot take records: 10,000 in memory, then 1 GiB per spill file under
      // the data dir (here the file repository's path).
      outage: {
        bufferRecords: 10_000,
        spillDir: join('/var/minion', '.cloudwatch-spill'),
        spillMaxBytes: 1024 * 1024 * 1024,
        retryMs: 5000,
        maxRetryMs: 60_000,
      },
    });
    // The audit trail follows the run history to CloudWatch Logs.
    expect(c.audit.store).toMatchObject({ type: 'cloudwatch', retentionDays: 90 });
  });

  it('reads the CloudWatch outage limits', () => {
    const logProvider = {
      type: 'cloudwatch',
      config: {
        bufferRecords: 500,
        spillPath: '/var/spill',
        spillMaxMiB: 64,
        retryInterval: '2s',
        maxRetryInterval: '30s',
      },
    };
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, logProvider }) } }),
    );
    const outage = {
      bufferRecords: 500,
      spillDir: '/var/spill',
      spillMaxBytes: 64 * 1024 * 1024,
      retryMs: 2000,
      maxRetryMs: 30_000,
    };
    expect(c.runLog.store).toMatchObject({ outage });
    expect(c.audit.store).toMatchObject({ outage });
  });

  it('accepts an S3 repository with the original keys', () => {
    const jobsRepository = {
      type: 's3',
      refreshInterval: '60m',
      config: {
        region: 'us-east-1',
        bucket: 'minion-dev-bucket',
        prefix: 'minion',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
        akid: 'a',
        secret: 's',
      },
    };
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, jobsRepository }) } }),
    );
    expect(c.repository).toEqual({
      org: valid.org,
      refreshIntervalMs: 3_600_000,
      store: {
        type: 's3',
        s3: {
          aws: {
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1:9000',
            credentials: { accessKeyId: 'a', secretAccessKey: 's' },
          },
          bucket: 'minion-dev-bucket',
          prefix: 'minion',
          forcePathStyle: true,
          timeoutMs: 10_000,
        },
      },
    });
    expect(c.dataDir).toBe('./data');
    // Calendars set over the API live beside the jobs, in the same bucket.
    expect(c.calendars.store).toEqual(c.repository.store);
    expect(Object.isFrozen(c.repository)).toBe(true);
  });

  it('defaults refreshInterval to 5 minutes', () => {
    const { refreshInterval: _, ...repo } = valid.jobsRepository;
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, jobsRepository: repo }) } }),
    );
    expect(c.repository.refreshIntervalMs).toBe(5 * 60_000);
  });

  it('reads the S3 timeout (how long one S3 call may take, retries included)', () => {
    const jobsRepository = { type: 's3', config: { bucket: 'ok-bucket', timeout: '3s' } };
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, jobsRepository }) } }),
    );
    expect(c.repository.store).toMatchObject({ s3: { timeoutMs: 3000 } });
  });

  it.each([
    [{ org: undefined }, 'org'],
    [{ org: '../x' }, 'org'],
    [{ listenAddress: 'localhost' }, 'listenAddress'],
    [{ accounts: { prod: { runners: 'dummyRunner' } } }, 'accounts.prod.runners'],
    [{ accounts: { '../up': { runners: [] } } }, 'accounts.../up'],
    [
      { accounts: { prod: { runners: ['dummyRunner'], region: 'Virginia' } } },
      'accounts.prod.region',
    ],
    [
      { accounts: { prod: { runners: ['dummyRunner'], role_arn: 'minion-role' } } },
      'accounts.prod.role_arn',
    ],
    [
      { accounts: { prod: { runners: ['dummyRunner'], session_name: 'a b' } } },
      'accounts.prod.session_name',
    ],
    [{ jobRunners: { r: { config: {} } } }, 'jobRunners.r.type'],
    [{ jobsRepository: { type: 'ftp', config: {} } }, 'jobsRepository.type'],
    [{ jobsRepository: { type: 'file', config: {} } }, 'jobsRepository.config.path'],
    [
      { jobsRepository: { type: 'file', refreshInterval: 'often', config: { path: '.' } } },
      'jobsRepository.refreshInterval',
    ],
    [{ listenAddress: '8080' }, 'listenAddress'],
    [{ listenAddress: '::1:8080' }, 'listenAddress'],
    [{ listenAddress: ':99999' }, 'listenAddress'],
    [{ accounts: { 'a/b': { runners: [] } } }, 'accounts.a/b'],
    [{ accounts: JSON.parse('{"__proto__": {"runners": []}}') }, 'accounts.__proto__'],
    [
      { jobsRepository: { type: 's3', config: { bucket: 'Bad_Bucket' } } },
      'jobsRepository.config.bucket',
    ],
    [
      { jobsRepository: { type: 's3', config: { bucket: 'ok-bucket', akid: 'only-one-half' } } },
      'jobsRepository.config: give both akid and secret',
    ],
    [
      { logProvider: { type: 'cloudwatch', config: { retentionDays: 45 } } },
      'logProvider.config.retentionDays',
    ],
    [{ logProvider: { type: 'syslog' } }, 'logProvider.type'],
    [
      { logProvider: { type: 'cloudwatch', config: { bufferRecords: 10 } } },
      'logProvider.config.bufferRecords must not be less than 100',
    ],
    [
      { logProvider: { type: 'cloudwatch', config: { spillMaxMiB: 0 } } },
      'logProvider.config.spillMaxMiB',
    ],
    [
      { logProvider: { type: 'cloudwatch', config: { retryInterval: '1ms' } } },
      'logProvider.config.retryInterval must be a duration from 100ms to 5m',
    ],
    [
      { jobsRepository: { type: 's3', config: { bucket: 'ok-bucket', timeout: '500ms' } } },
      'jobsRepository.config.timeout must be a duration from 1s to 2m',
    ],
  ])('refuses %j naming %s, without leaking the token', (override, key) => {
    expectConfigError(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, ...override }) } }),
      key,
    );
  });

  describe("read as the original read it (Go's JSON, logrus)", () => {
    const load = (override: Record<string, unknown>) =>
      loadConfig(source({ env: { API_CONFIG: JSON.stringify({ ...valid, ...override }) } }));

    it('warns about unknown keys, naming each, and starts', () => {
      const c = load({
        tokn: 'typo',
        accounts: { prod: { runners: ['dummyRunner'], regoin: 'us-east-1' } },
      });
      expect(c.notes).toEqual(
        expect.arrayContaining([
          'unknown configuration key "tokn" is ignored',
          'unknown configuration key "accounts.prod.regoin" is ignored',
        ]),
      );
      expect(c.accounts.prod.region).toBeUndefined();
    });

    it('matches keys case-insensitively where Go did, keeping names (accounts, runners) as they are', () => {
      const c = loadConfig(
        source({
          env: {
            API_CONFIG: JSON.stringify({
              Org: 'acme',
              TOKEN: SECRET,
              ListenAddress: ':9191',
              LogLevel: 'DEBUG',
              Accounts: { Prod: { Runners: ['dummyRunner'], Region: 'us-east-1' } },
              JobRunners: { dummyRunner: { Type: 'dummy', Config: { Template: 'x' } } },
              JobsRepository: { Type: 'file', RefreshInterval: '60m', Config: { Path: '/srv' } },
            }),
          },
        }),
      );
      expect(c.org).toBe('acme');
      expect(c.http.port).toBe(9191);
      expect(c.logLevel).toBe('debug');
      expect(Object.keys(c.accounts)).toEqual(['Prod']);
      expect(c.accounts.Prod).toMatchObject({ runners: ['dummyRunner'], region: 'us-east-1' });
      expect(c.runners.runners.dummyRunner.type).toBe('dummy');
      expect(c.repository).toMatchObject({ store: { path: '/srv' }, refreshIntervalMs: 3_600_000 });
      expect(c.notes).toEqual(['logLevel "DEBUG" means debug']);
    });

    it.each([
      ['warning', 'warn'],
      ['WARN', 'warn'],
      ['INFO', 'info'],
      ['', 'info'],
      ['loud', 'info'],
      ['error', 'error'],
    ])('logLevel %j is %s', (given, level) => {
      const c = load({ logLevel: given });
      expect(c.logLevel).toBe(level);
      if (given !== level) expect(c.notes.join('\n')).toContain(`logLevel "${given}"`);
    });

    it.each([
      [':8080', undefined, 8080],
      ['', undefined, 8080],
      ['0.0.0.0:8081', undefined, 8081],
      ['[::]:8082', undefined, 8082],
      ['localhost:8083', 'localhost', 8083],
      ['127.0.0.1:8084', '127.0.0.1', 8084],
      ['[::1]:8085', '::1', 8085],
      [':http', undefined, 80],
    ])('listenAddress %j listens on %s port %d', (listenAddress, host, port) => {
      const c = load({ listenAddress });
      expect(c.http.host).toBe(host);
      expect(c.http.port).toBe(port);
    });

    it("accepts the original's extra keys: eventReporters, lockProvider.ttl, version, an S3 session token", () => {
      const c = load({
        eventReporters: {
          slack: {
            endpoint: 'https://hooks.slack.com/services/T/B/X',
            channel: '#ops',
            icon: ':robot:',
            username: 'minion',
          },
        },
        lockProvider: { type: 'redis', ttl: '2m', config: { host: '127.0.0.1', port: 6379 } },
        version: { version: '0.1.0', githash: 'abc', buildstamp: 'x' },
        jobsRepository: {
          type: 's3',
          config: {
            region: 'us-east-1',
            bucket: 'bkt',
            akid: 'AKIA',
            secret: 's',
            token: 'session',
          },
        },
      });
      expect(c.notifications.slack?.channel).toBe('#ops');
      expect(
        c.repository.store.type === 's3' && c.repository.store.s3.aws.credentials?.sessionToken,
      ).toBe('session');
      expect(c.notes.join('\n')).toMatch(/lockProvider \(ttl 2m\) is not used/);
      expect(c.notes.join('\n')).toMatch(/version is ignored/);
    });

    it('reads empty akid/secret as the default credential chain and an endpoint without scheme as https', () => {
      const c = load({
        jobsRepository: {
          type: 's3',
          config: {
            region: 'us-east-1',
            bucket: 'bkt',
            akid: '',
            secret: '',
            endpoint: 's3.example.com',
          },
        },
        logProvider: { region: 'us-east-1', akid: '', secret: '' },
      });
      expect(c.repository.store.type === 's3' && c.repository.store.s3.aws).toEqual({
        region: 'us-east-1',
        endpoint: 'https://s3.example.com',
        credentials: undefined,
      });
      expect(c.runLog.store.type === 'cloudwatch' && c.runLog.store.aws).toEqual({
        region: 'us-east-1',
        endpoint: undefined,
        credentials: undefined,
      });
      expect(c.notes.join('\n')).toContain('jobsRepository.config.akid is empty');
      expect(c.notes.join('\n')).toContain('using https://s3.example.com');
    });

    it('starts when an account lists a runner jobRunners lacks, and says so', () => {
      const c = load({ accounts: { prod: { runners: ['dummyRunner', 'missing'] } } });
      expect(c.notes.join('\n')).toContain(
        'accounts.prod.runners[1]: "missing" is not in jobRunners',
      );
    });

    it('accepts names the original could store: org and accounts with characters like @ and space', () => {
      const c = load({
        org: 'Acme Corp@2',
        accounts: { 'space@xy': { runners: ['dummyRunner'] } },
      });
      expect(c.org).toBe('Acme Corp@2');
      expect(Object.keys(c.accounts)).toEqual(['space@xy']);
    });
  });

  it('refuses invalid JSON without quoting the text', () => {
    const message = expectConfigError(
      source({ env: { API_CONFIG: `{"token": "${SECRET}", ` } }),
      'API_CONFIG is not valid JSON',
    );
    expect(message).not.toContain(SECRET);
  });

  it.each(readdirSync(join(__dirname, '../../config')).filter((f) => f.endsWith('.example.json')))(
    'loads the example config config/%s',
    (file) => {
      const c = loadConfig(source({ argv: ['--config', join(__dirname, '../../config', file)] }));
      expect(c.org).toBeTruthy();
      expect(Object.keys(c.accounts).length).toBeGreaterThan(0);
      // Its runners build too, so the example would really start.
      expect(() => RunnerRegistry.fromConfig(c)).not.toThrow();
    },
  );

  it('refuses a missing config file, naming it', () => {
    expectConfigError(source({ argv: ['--config', 'nope.json'] }), 'nope.json', 'ENOENT');
  });
});

describe('loadConfig: apiKeys', () => {
  const key = (extra: Record<string, unknown> = {}) => ({
    name: 'team-prod',
    token: 'team-prod-secret-0123',
    accounts: ['prod'],
    access: 'read',
    ...extra,
  });
  const withKeys = (...apiKeys: unknown[]) =>
    source({ env: { API_CONFIG: JSON.stringify({ ...valid, apiKeys }) } });

  it('reads scoped keys beside the token, which keeps full access', () => {
    const config = loadConfig(
      withKeys(
        key(),
        key({ name: 'all', token: 'x'.repeat(20), accounts: ['*'], access: 'write' }),
      ),
    );
    expect(config.auth.keys.map((k) => [k.name, k.access, k.accounts && [...k.accounts]])).toEqual([
      ['token', 'write', null],
      ['team-prod', 'read', ['prod']],
      ['all', 'write', null],
    ]);
  });

  it.each([
    [[key({ accounts: ['staging'] })], 'apiKeys[0].accounts: "staging" is not in accounts'],
    [[key(), key({ token: 'another-secret-01234' })], 'apiKeys[1].name: "team-prod" is used twice'],
    [[key({ token: SECRET })], 'apiKeys[0].token: the same secret as another key'],
    [
      [key({ token: 'short' })],
      'apiKeys[0].token must be at least 16 characters, or a bcrypt hash',
    ],
    [[key({ access: 'admin' })], 'apiKeys[0].access must be one of: read, run, write'],
    [[key({ accounts: [] })], 'apiKeys[0].accounts'],
    [['team-prod'], 'apiKeys[0] must be an object'],
  ])('refuses %j, naming the key', (apiKeys, fragment) => {
    expectConfigError(withKeys(...(apiKeys as unknown[])), fragment);
  });
});

describe('loadConfig: calendars', () => {
  const withCalendars = (calendars: unknown) =>
    source({ env: { API_CONFIG: JSON.stringify({ ...valid, calendars }) } });

  it('reads calendars by account and name, with no unknown-key note', () => {
    const config = loadConfig(
      withCalendars({
        prod: { holidays: { timezone: 'Europe/Berlin', dates: ['2026-12-24..2026-12-26'] } },
      }),
    );
    expect(config.calendars.configured).toEqual({
      prod: { holidays: { timezone: 'Europe/Berlin', dates: ['2026-12-24..2026-12-26'] } },
    });
    expect(config.notes.join('\n')).not.toContain('calendars');
  });

  it.each([
    [
      { staging: { h: { timezone: 'UTC', dates: [] } } },
      'calendars.staging: "staging" is not in accounts',
    ],
    [
      { prod: { h: { timezone: 'UTC', dates: ['2026-13-01'] } } },
      'calendars.prod.h.dates[0]: "2026-13-01" is not a real date',
    ],
    [
      { prod: { h: { timezone: 'Nowhere/City', dates: [] } } },
      'calendars.prod.h.timezone must be an IANA time zone name',
    ],
    [{ prod: { h: 'Christmas' } }, 'calendars.prod.h must be an object'],
  ])('refuses %j, naming the key', (calendars, fragment) => {
    expectConfigError(withCalendars(calendars), fragment);
  });
});

describe("MINION_TEST_CLOCK (the fault suite's clock)", () => {
  const clock = JSON.stringify({ at: '2026-01-05T10:00:00Z', realMs: 1_000, speed: 10 });

  it('is read outside production, with a startup warning saying it is a test clock', () => {
    const config = loadConfig(source({ env: { MINION_TEST_CLOCK: clock, NODE_ENV: 'test' } }));
    expect(config.testClock).toEqual({
      atMs: Date.parse('2026-01-05T10:00:00Z'),
      realMs: 1_000,
      speed: 10,
    });
    expect(config.notes.join('\n')).toContain('never use it in production');
  });

  it('is refused when NODE_ENV is production, naming it', () => {
    expectConfigError(
      source({ env: { MINION_TEST_CLOCK: clock, NODE_ENV: 'production' } }),
      'MINION_TEST_CLOCK',
      'refused when NODE_ENV=production',
    );
  });

  it('is refused when malformed, naming the field', () => {
    expectConfigError(
      source({ env: { MINION_TEST_CLOCK: 'soon' } }),
      'MINION_TEST_CLOCK must be JSON',
    );
    const bad = (v: object) => source({ env: { MINION_TEST_CLOCK: JSON.stringify(v) } });
    expectConfigError(bad({ at: 'never', realMs: 1 }), 'MINION_TEST_CLOCK.at');
    expectConfigError(bad({ at: '2026-01-05T10:00:00Z' }), 'MINION_TEST_CLOCK.realMs');
    expectConfigError(
      bad({ at: '2026-01-05T10:00:00Z', realMs: 1, speed: 0 }),
      'MINION_TEST_CLOCK.speed',
    );
  });

  it('is absent unless set: the system clock', () => {
    expect(loadConfig(source()).testClock).toBeUndefined();
  });
});

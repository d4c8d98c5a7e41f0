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
    expect(config.jobRunners.dummyRunner.type).toBe('dummy');
    expect(config.jobsRepository).toMatchObject({ type: 'file', config: { path: './data' } });
    expect(config.port).toBe(8080);
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
      expect(c.port).toBe(9090);
      expect(c.logLevel).toBe('debug');
      expect(c.tokenGenerated).toBe(false);
      expect(c.jobsRepository.refreshIntervalMs).toBe(60 * 60_000);
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
    expect(c.port).toBe(7000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.jobsRepository.config.path).toBe('/srv/data');
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
    expect(c.logProvider).toEqual({ type: 'cloudwatch', config: logProvider });
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
    expect(c.jobsRepository.config).toEqual(jobsRepository.config);
    expect(c.dataDir).toBe('./data');
  });

  it('defaults refreshInterval to 5 minutes', () => {
    const { refreshInterval: _, ...repo } = valid.jobsRepository;
    const c = loadConfig(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, jobsRepository: repo }) } }),
    );
    expect(c.jobsRepository.refreshIntervalMs).toBe(5 * 60_000);
  });

  it.each([
    [{ org: undefined }, 'org'],
    [{ org: '../x' }, 'org'],
    [{ listenAddress: 'localhost' }, 'listenAddress'],
    [{ logLevel: 'loud' }, 'logLevel'],
    [{ accounts: { prod: { runners: 'dummyRunner' } } }, 'accounts.prod.runners'],
    [
      { accounts: { prod: { runners: ['missing'] } } },
      'accounts.prod.runners[0]: unknown runner "missing"',
    ],
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
    [
      { accounts: { prod: { runners: ['dummyRunner'], regoin: 'us-east-1' } } },
      'accounts.prod.regoin',
    ],
    [{ jobRunners: { r: { config: {} } } }, 'jobRunners.r.type'],
    [{ jobsRepository: { type: 'ftp', config: {} } }, 'jobsRepository.type'],
    [{ jobsRepository: { type: 'file', config: {} } }, 'jobsRepository.config.path'],
    [
      { jobsRepository: { type: 'file', refreshInterval: 'often', config: { path: '.' } } },
      'jobsRepository.refreshInterval',
    ],
    [{ tokn: 'typo' }, 'tokn'],
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
  ])('refuses %j naming %s, without leaking the token', (override, key) => {
    expectConfigError(
      source({ env: { API_CONFIG: JSON.stringify({ ...valid, ...override }) } }),
      key,
    );
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

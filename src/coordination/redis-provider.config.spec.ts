import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.loader';
import { RedisSettings } from './coordination.config';

const PASSWORD = 'sekret-redis-password';

function load(config: Record<string, unknown>) {
  const raw = {
    org: 'acme',
    token: 'a-token-long-enough-for-tests',
    accounts: { prod: { runners: ['dummyRunner'] } },
    jobRunners: { dummyRunner: { type: 'dummy', config: { template: 'Hi' } } },
    queueProvider: { type: 'redis', config },
  };
  return loadConfig({
    argv: [],
    env: { API_CONFIG: JSON.stringify(raw) },
    cwd: mkdtempSync(join(tmpdir(), 'minion-redis-cfg-')),
  });
}

function redisOf(config: Record<string, unknown>): RedisSettings {
  const backend = load(config).coordination.backend;
  if (backend.type !== 'redis') throw new Error('expected redis');
  return backend.redis;
}

function refusal(config: Record<string, unknown>): string {
  try {
    load(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain(PASSWORD);
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('queueProvider redis config', () => {
  it('keeps host/port and url as before (standalone)', () => {
    const r = redisOf({ host: 'redis', port: '6380', password: PASSWORD, database: 2 });
    expect(r.topology).toBe('standalone');
    expect(r.connection).toMatchObject({ host: 'redis', port: 6380, password: PASSWORD, db: 2 });
    expect(r.prefix).toBe('minion:acme');
    expect(r.describe).toBe('redis redis:6380/2');
    const u = redisOf({ url: `rediss://app:${PASSWORD}@cache.example:6390/3` });
    expect(u.connection).toMatchObject({
      host: 'cache.example',
      port: 6390,
      username: 'app',
      password: PASSWORD,
      db: 3,
      tls: {},
    });
    expect(u.describe).toBe('redis (tls) cache.example:6390/3');
    expect(u.describe).not.toContain(PASSWORD);
  });

  it('batches ticks of 5,000 occurrences or more unless told otherwise (0: never)', () => {
    expect(redisOf({ host: 'redis' }).batchFrom).toBe(5000);
    expect(redisOf({ host: 'redis', batchFrom: 0 }).batchFrom).toBe(0);
    expect(redisOf({ host: 'redis', batchFrom: 20000 }).batchFrom).toBe(20000);
    expect(refusal({ host: 'redis', batchFrom: -1 })).toContain('batchFrom');
  });

  it('takes an ACL user and TLS with a CA file read at startup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'minion-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const r = redisOf({
      host: 'redis',
      username: 'minion',
      password: PASSWORD,
      tls: { ca, servername: 'redis.internal', rejectUnauthorized: true },
    });
    expect(r.connection.username).toBe('minion');
    expect(r.connection.tls).toMatchObject({
      servername: 'redis.internal',
      rejectUnauthorized: true,
    });
    expect(String(r.connection.tls?.ca)).toContain('BEGIN CERTIFICATE');
    expect(redisOf({ host: 'redis', tls: true }).connection.tls).toEqual({});
    expect(redisOf({ host: 'redis', TLS: { RejectUnauthorized: false } }).connection.tls).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('connects through Sentinel: sentinels, primary name, their password', () => {
    const r = redisOf({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: '26380' },
      ],
      name: 'mymaster',
      password: PASSWORD,
      sentinelPassword: 'sentinel-secret',
      sentinelUsername: 'watcher',
    });
    expect(r.topology).toBe('sentinel');
    expect(r.connection).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      password: PASSWORD,
      sentinelPassword: 'sentinel-secret',
      sentinelUsername: 'watcher',
    });
    expect(r.connection.host).toBeUndefined();
    expect(r.describe).toBe('redis sentinel mymaster via s1:26379,s2:26380/0');
  });

  it('connects to a Cluster with every key in one hash slot: the prefix derived or kept', () => {
    const nodes = [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ];
    const derived = redisOf({ cluster: nodes });
    expect(derived.topology).toBe('cluster');
    expect(derived.clusterNodes).toEqual(nodes);
    expect(derived.prefix).toBe('{minion}:acme');
    expect(redisOf({ cluster: nodes, keyPrefix: 'team-a' }).prefix).toBe('{team-a}:acme');
    expect(redisOf({ cluster: nodes, keyPrefix: 'x{jobs}' }).prefix).toBe('x{jobs}:acme');
    // Outside a cluster a hash tag is allowed and kept as written.
    expect(redisOf({ keyPrefix: '{minion}' }).prefix).toBe('{minion}:acme');
  });

  it.each([
    [
      { sentinels: [{ host: 's1', port: 26379 }] },
      'queueProvider.config.name: the name of the primary',
    ],
    [{ name: 'mymaster' }, 'queueProvider.config.name: only used with sentinels'],
    [{ sentinelPassword: 'x' }, 'queueProvider.config.sentinelPassword: only used with sentinels'],
    [
      { sentinels: [{ host: 's', port: 1 }], name: 'm', host: 'redis' },
      'queueProvider.config.host: not used with sentinels',
    ],
    [
      { cluster: [{ host: 'n', port: 1 }], url: 'redis://x' },
      'queueProvider.config.url: not used with cluster',
    ],
    [
      { cluster: [{ host: 'n', port: 1 }], sentinels: [{ host: 's', port: 1 }], name: 'm' },
      'queueProvider.config.cluster: give sentinels or cluster, not both',
    ],
    [
      { cluster: [{ host: 'n', port: 1 }], database: 1 },
      'queueProvider.config.database: Redis Cluster has database 0 only',
    ],
    [{ cluster: [] }, 'queueProvider.config.cluster must contain at least 1 elements'],
    [
      { cluster: [{ host: 'n', port: 70000 }] },
      'queueProvider.config.cluster[0].port must not be greater than 65535',
    ],
    [
      { sentinels: [{ port: 26379 }], name: 'm' },
      'queueProvider.config.sentinels[0].host should not be empty',
    ],
    [{ sentinels: 'a:1', name: 'm' }, 'queueProvider.config.sentinels must be an array'],
    [{ tls: 'yes' }, 'queueProvider.config.tls must be true, false or an object'],
    [
      { tls: { rejectUnauthorized: 'no' } },
      'queueProvider.config.tls.rejectUnauthorized must be a boolean',
    ],
    [
      { tls: { ca: '/nonexistent/ca.pem' } },
      'queueProvider.config.tls.ca: cannot read /nonexistent/ca.pem (ENOENT)',
    ],
    [{ url: 'redis://x', tls: true }, 'queueProvider.config.tls: not used with url'],
    [{ username: '' }, 'queueProvider.config.username should not be empty'],
    [{ keyPrefix: 'a{b}c{d}' }, 'queueProvider.config.keyPrefix may hold letters'],
    [{ keyPrefix: 'a b' }, 'queueProvider.config.keyPrefix may hold letters'],
  ])('refuses %j naming the key', (config, expected) => {
    expect(refusal({ password: PASSWORD, ...config })).toContain(expected);
  });
});

import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ConflictError, ServiceUnavailableError, StorageAccessDeniedError } from '../common/errors';
import { TestS3 } from '../../test/support/s3-server';
import {
  describeJobsRepositoryContract,
  sampleJob,
} from '../../test/contracts/jobs-repository.contract';
import { S3JobsRepository } from './s3-jobs.repository';
import { S3FaultProxy } from '../../test/chaos/support/s3-fault-proxy';

// The shared contract, against a real S3 protocol server (s3rver) on a random port.
describeJobsRepositoryContract('S3JobsRepository', async () => {
  const s3 = await TestS3.start();
  return { repo: new S3JobsRepository(s3.settings(), 'org'), cleanup: () => s3.destroy() };
});

describe('S3JobsRepository specifics (s3rver)', () => {
  let s3: TestS3;
  let repo: S3JobsRepository;

  beforeEach(async () => {
    s3 = await TestS3.start();
    repo = new S3JobsRepository(s3.settings('minion'), 'org');
  });

  afterEach(async () => {
    await s3.destroy();
  });

  it('writes the original key layout and document: <prefix>/<org>/<account>/<group>/<id>, JSON', async () => {
    await repo.create(sampleJob());
    const list = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    expect(list.Contents?.map((c) => c.Key)).toEqual([
      'minion/org/acct/grp/6bcfa79f-615e-470d-97c1-687f3357497d',
    ]);
    expect(repo.location).toBe('s3://minion-test/minion/org/');
  });

  it('lists more than 1,000 jobs in a group and in an account (pagination)', async () => {
    const client = s3.client();
    const ids = Array.from({ length: 1205 }, (_, i) => `job-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => repo.create(sampleJob({ id }))));
    }
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'minion/org/acct/other/x', Body: '{}' }),
    );
    expect(await repo.listGroup('acct', 'grp')).toEqual(ids);
    const account = await repo.listAccount('acct');
    expect(account).toHaveLength(1206);
    expect(account[0]).toBe('grp/job-00000');
    expect(account[account.length - 1]).toBe('other/x');
  });

  it('deletes a group of more than 1,000 jobs in batches, leaving other groups', async () => {
    const ids = Array.from({ length: 1103 }, (_, i) => `d${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id) => repo.create(sampleJob({ group: 'big', id }))),
      );
    }
    await repo.create(sampleJob({ group: 'keep', id: 'k' }));
    const result = await repo.deleteGroup('acct', 'big');
    expect(result.failed).toEqual([]);
    expect([...result.deleted].sort()).toEqual([...ids].sort());
    expect(await repo.listAccount('acct')).toEqual(['keep/k']);
  });

  it('ignores keys that are not jobs (folder markers, nested keys, probe objects), counting them', async () => {
    const client = s3.client();
    for (const Key of [
      'minion/org/acct/grp/',
      'minion/org/acct/grp/a/b',
      'minion/org/acct/odd\u0001name/x',
      'minion/org/.minion/readiness-probe',
      // Any name without "/" is a job key, as in the original: a group may start with a dot.
      'minion/org/acct/.hidden/x',
    ]) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: '' }));
    }
    const before = repo.unreadableKeys;
    await repo.create(sampleJob({ id: 'real' }));
    expect(await repo.listAccount('acct')).toEqual(['.hidden/x', 'grp/real']);
    expect(await repo.listGroup('acct', 'grp')).toEqual(['real']);
    expect(repo.unreadableKeys - before).toBe(3);
    // Each is counted once, however often it is listed.
    await repo.listAccount('acct');
    expect(repo.unreadableKeys - before).toBe(3);
  });

  it('keeps the original key layout with an empty prefix: a leading "/"', async () => {
    // s3rver cannot route a key starting with "/" (AWS S3 can): check the keys sent instead.
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(PutObjectCommand).resolves({ ETag: '"e"' });
    mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: '/org/acct/grp/j' }] });
    const bare = new S3JobsRepository(
      { aws: {}, bucket: 'b', prefix: '', forcePathStyle: false, timeoutMs: 10_000 },
      'org',
      client,
    );
    await bare.create(sampleJob({ id: 'j' }));
    expect(mock.commandCalls(PutObjectCommand)[0].args[0].input.Key).toBe('/org/acct/grp/j');
    expect(await bare.listAccount('acct')).toEqual(['grp/j']);
    expect(mock.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix).toBe('/org/acct/');
    const prefixed = new S3JobsRepository(
      { aws: {}, bucket: 'b', prefix: 'jobs/', forcePathStyle: false, timeoutMs: 10_000 },
      'org',
      client,
    );
    await prefixed.create(sampleJob({ id: 'k' }));
    expect(mock.commandCalls(PutObjectCommand)[1].args[0].input.Key).toBe('jobs//org/acct/grp/k');
  });

  it('creates racing a group delete survive or are deleted, never half (no race as in the file store)', async () => {
    for (let round = 0; round < 10; round++) {
      const ids = Array.from({ length: 5 }, (_, i) => `s${round}-${i}`);
      const results = await Promise.allSettled([
        ...ids.slice(0, 2).map((id) => repo.create(sampleJob({ group: 'race', id }))),
        repo.deleteGroup('acct', 'race'),
        ...ids.slice(2).map((id) => repo.create(sampleJob({ group: 'race', id }))),
      ]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const { deleted } = (results[2] as PromiseFulfilledResult<{ deleted: string[] }>).value;
      const left = await repo.listGroup('acct', 'race');
      expect([...deleted, ...left].sort()).toEqual(ids.sort());
      await repo.deleteGroup('acct', 'race');
    }
  });

  it('pages listings with StartAfter, in the same order as the file repository', async () => {
    for (const id of ['b', 'a', 'é', 'z', 'A']) await repo.create(sampleJob({ id }));
    expect(await repo.listGroup('acct', 'grp')).toEqual(['A', 'a', 'b', 'z', 'é']);
    expect(await repo.listGroup('acct', 'grp', { limit: 2 })).toEqual(['A', 'a']);
    expect(await repo.listGroup('acct', 'grp', { limit: 2, startAfter: 'a' })).toEqual(['b', 'z']);
    expect(await repo.listAccount('acct', { limit: 10, startAfter: 'grp/z' })).toEqual(['grp/é']);
  });

  it('conflict: of two concurrent updates from one version, exactly one wins and the loser gets ConflictError', async () => {
    const v1 = await repo.create(sampleJob());
    const other = new S3JobsRepository(s3.settings('minion'), 'org');
    const results = await Promise.allSettled([
      repo.update(sampleJob({ name: 'from-replica-a' }), v1.version),
      other.update(sampleJob({ name: 'from-replica-b' }), v1.version),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(
      (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason,
    ).toBeInstanceOf(ConflictError);
    const winner = (
      results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
        document: { name: string };
      }>
    ).value;
    expect((await repo.get(sampleJob())).document.name).toBe(winner.document.name);
  });

  it('S3 stopped mid-test: reads and writes fail as unavailable (503), readiness fails, all recover after restart', async () => {
    await repo.create(sampleJob());
    await repo.check();
    await s3.stop();
    const fresh = new S3JobsRepository(s3.settings('minion'), 'org');
    await expect(fresh.get(sampleJob())).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(fresh.listAccount('acct')).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(fresh.create(sampleJob({ id: 'x' }))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(fresh.check()).rejects.toThrow(/cannot be reached/);
    await s3.restart();
    const again = new S3JobsRepository(s3.settings('minion'), 'org');
    expect((await again.get(sampleJob())).document.name).toBe('dummy');
    await expect(again.check()).resolves.toBeUndefined();
  });

  it('wrong credentials: access denied naming the bucket (403), without the secret', async () => {
    const denied = new S3JobsRepository(
      {
        ...s3.settings('minion'),
        aws: {
          ...s3.settings('minion').aws,
          credentials: { accessKeyId: 'WRONG', secretAccessKey: 'not-the-secret' },
        },
      },
      'org',
    );
    const error = await denied.listAccount('acct').catch((e) => e);
    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    expect(error.message).toContain('S3 bucket minion-test');
    expect(error.message).not.toContain('not-the-secret');
  });
});

// S3 in trouble, through a fault-injecting proxy in front of s3rver (test/chaos/support).
describe('S3JobsRepository when S3 throttles or hangs', () => {
  let s3: TestS3;
  let proxy: S3FaultProxy;
  let repo: S3JobsRepository;
  const isPut = (method: string) => method === 'PUT';

  beforeEach(async () => {
    s3 = await TestS3.start();
    proxy = await S3FaultProxy.start(s3.endpoint);
    repo = new S3JobsRepository(
      { ...s3.settings('minion'), aws: { ...s3.settings('minion').aws, endpoint: proxy.endpoint } },
      'org',
      undefined,
    );
  });

  afterEach(async () => {
    await proxy.stop();
    await s3.destroy();
  });

  const stored = async () =>
    (await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? [];

  it("503 SlowDown: a write fails as unavailable with S3's Retry-After, stores nothing, and works once S3 answers", async () => {
    proxy.fault({ mode: 'slowdown', retryAfterSeconds: 7 }, { match: isPut });
    const error = (await repo.create(sampleJob()).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(7);
    expect(error.message).toMatch(/throttling requests \(SlowDown\)/);
    expect(error.message).not.toContain('S3RVER');
    // The SDK retried before giving up (S3's advice for SlowDown), each time refused.
    expect(proxy.counts.slowdowns).toBeGreaterThan(1);
    expect(await stored()).toEqual([]);
    proxy.heal();
    await expect(repo.create(sampleJob())).resolves.toMatchObject({
      document: { id: sampleJob().id },
    });
  });

  it("S3 hanging: a write gives up after `timeout` (not the SDK's endless wait) as unavailable", async () => {
    const settings = s3.settings('minion');
    const quick = new S3JobsRepository(
      { ...settings, aws: { ...settings.aws, endpoint: proxy.endpoint }, timeoutMs: 1500 },
      'org',
    );
    proxy.fault({ mode: 'hang' });
    const started = Date.now();
    const error = (await quick.create(sampleJob()).catch((e: Error) => e)) as Error;
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(/did not answer in time/);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    await expect(quick.check()).rejects.toThrow(/did not answer in time/);
    proxy.heal();
    await expect(quick.create(sampleJob())).resolves.toBeDefined();
    expect(await stored()).toHaveLength(1);
  });

  it('a create or update that landed but whose answer was lost succeeds (the SDK retry meets our own write)', async () => {
    proxy.fault({ mode: 'cut' }, { match: isPut, times: 1 });
    const created = await repo.create(sampleJob());
    expect(proxy.counts.cut).toBe(1);
    expect((await repo.get(sampleJob())).version).toBe(created.version);
    proxy.fault({ mode: 'cut' }, { match: isPut, times: 1 });
    const updated = await repo.update(sampleJob({ name: 'renamed' }), created.version);
    expect(proxy.counts.cut).toBe(2);
    expect(await repo.get(sampleJob())).toMatchObject({
      version: updated.version,
      document: { name: 'renamed' },
    });
    // A real conflict is still one: the stored document is not the one sent.
    await expect(repo.update(sampleJob({ name: 'stale' }), created.version)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

import { manualOccurrence } from '../src/domain/occurrence';
import { spinupConfig, useFakeAws } from './support/fake-aws-hooks';
import { waitFor } from './support/manual-clock';
import { describeWithRedis, redisQueueProvider } from './support/redis';
import { useRedisReplicas } from './support/redis-replicas';
import { allRecords, enqueueOn, startReplicaChild, writeJob } from './support/replica-child';
import { testConfig } from './support/test-app';

const key = (group: string, id: string) => ({ account: 'spinup', group, id });

/**
 * A replica killed between two steps of a sequence (issue 21), on Redis with two replicas: the
 * other replica takes the sequence over, resumes at the step in progress, and no action is taken
 * twice, counted at the fake AWS endpoint.
 */
describeWithRedis('sequences across replicas (Redis at 127.0.0.1:6379)', () => {
  const fake = useFakeAws();
  const cluster = useRedisReplicas('minion-sequence-replicas-');

  it('a replica killed mid-sequence: another resumes at the step in progress; no action repeated, no step run again', async () => {
    const db = key('stack', 'db');
    const web = key('stack', 'web');
    const api = key('stack', 'api');
    const seq = key('stacks', 'start');
    fake.resources.setDatabase('stack-db', 'stopped');
    const instances = fake.resources.addInstances(2, { tags: { Stack: 'shop' }, state: 'stopped' });
    const [service] = fake.resources.addServices(1, { cluster: 'shop', desired: 0 });
    // The instances take a very long time: the replica is still waiting for them when it dies.
    fake.resources.settleFor.set('ec2:StartInstances', 1_000_000);
    writeJob(cluster.dataDir, db, '0 0 1 1 *', {
      runner: 'databaseRunner',
      database_action: 'start',
      instance_id: 'stack-db',
    });
    writeJob(cluster.dataDir, web, '0 0 1 1 *', {
      runner: 'instanceRunner',
      instance_action: 'start',
      tag_selector: 'Stack=shop',
    });
    writeJob(cluster.dataDir, api, '0 0 1 1 *', {
      runner: 'serviceRunner',
      service_action: 'scale',
      service_cluster: 'shop',
      service_name: service,
      desired_count: '2',
    });
    writeJob(cluster.dataDir, seq, '0 0 1 1 *', {
      runner: 'stackRunner',
      steps: 'stack/db,stack/web,stack/api',
    });
    const config = testConfig(cluster.dataDir, {
      // Replicas in child processes on a loaded machine: longer waits than in one process.
      ...spinupConfig(['instanceRunner', 'databaseRunner', 'serviceRunner', 'stackRunner'], {
        waitTimeout: '60s',
        waitPollMin: '10ms',
        waitPollMax: '50ms',
      }),
      queueProvider: redisQueueProvider(cluster.prefix, undefined, {
        lockDuration: 1000,
        stalledInterval: 1000,
      }),
      scheduler: { retryDelay: '10ms' },
    });

    const first = await startReplicaChild(config);
    try {
      const occurrence = manualOccurrence(seq, new Date());
      await enqueueOn(config, [occurrence]);
      // Step 1 done (the database available), step 2 acted on (the instances starting): kill.
      await waitFor(() => fake.counts.get('ec2:StartInstances') === 1, 30_000);
      await first.kill();
      // Meanwhile AWS finishes starting the instances.
      for (const id of instances) fake.resources.setInstance(id, 'running');

      await cluster.start({ config });
      await waitFor(
        async () =>
          (await allRecords(cluster.dataDir, [seq])).some((r) => r.status === 'succeeded'),
        60_000,
      );
      const records = (await allRecords(cluster.dataDir, [seq])).reverse();
      const done = records.at(-1)!;
      expect(done).toMatchObject({ run_id: occurrence.id, status: 'succeeded' });
      expect(done.attempt).toBeGreaterThanOrEqual(2);
      expect(done.steps?.map((s) => [s.step, s.status])).toEqual([
        [1, 'succeeded'],
        [2, 'succeeded'],
        [3, 'succeeded'],
      ]);
      // Step 2 was described first on the second replica: both instances were running already.
      expect(done.steps?.[1].fleet).toMatchObject({ matched: 2, already: 2, acted: 0 });
      // The attempt the dead replica left is on the record.
      expect(records[0]).toMatchObject({ status: 'failed', will_retry: true });
      expect(records[0].error).toContain('stopped during this attempt');
      // Every action once, whatever replica took it.
      expect(fake.counts.get('rds:StartDBInstance')).toBe(1);
      expect(fake.counts.get('ec2:StartInstances')).toBe(1);
      expect(fake.counts.get('ecs:UpdateService')).toBe(1);
      // The step records: the database's once (step 1 was not run again), in its own history.
      const dbRecords = await allRecords(cluster.dataDir, [db]);
      expect(dbRecords.map((r) => [r.status, r.sequence?.step])).toEqual([['succeeded', 1]]);
    } finally {
      await first.kill();
    }
  }, 120_000);
});

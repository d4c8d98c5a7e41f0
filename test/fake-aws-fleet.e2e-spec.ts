import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  paginateDescribeAutoScalingGroups,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  EC2Client,
  Instance,
  paginateDescribeInstances,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import {
  GetResourcesCommand,
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { useFakeAws } from './support/fake-aws-hooks';

const REGION = 'us-east-1';
const OFFICE = [{ Name: 'tag:Schedule', Values: ['office-hours'] }];

/** What a rejected SDK call raised: its name (the AWS error code), HTTP status and attempts. */
async function failure(call: Promise<unknown>) {
  const e = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  )) as Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
  return { name: e.name, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
}

/** The fake AWS endpoint's fleet support, driven by the real SDK v3 clients on the wire. */
describe('fake AWS for fleets: tagged resources in bulk, over the real SDK', () => {
  const fake = useFakeAws();
  let client: EC2Client;
  beforeAll(() => {
    client = new EC2Client({ region: REGION, maxAttempts: 1 }); // after the SDK is pointed at the fake
  });
  afterAll(() => client.destroy());
  const ec2 = () => client;

  async function describeAll(filters: { Name: string; Values: string[] }[]) {
    const pages: Instance[][] = [];
    for await (const p of paginateDescribeInstances(
      { client: ec2(), pageSize: 1000 },
      { Filters: filters },
    ))
      pages.push((p.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    return pages;
  }

  it('DescribeInstances: tag filters over 2,500 instances, in pages of MaxResults', async () => {
    const office = fake.resources.addInstances(1200, {
      tags: { Schedule: 'office-hours', Team: 'web' },
      state: 'stopped',
    });
    const always = fake.resources.addInstances(1000, { tags: { Schedule: 'always' } });
    fake.resources.addInstances(300);
    const pages = await describeAll(OFFICE);
    expect(pages.map((p) => p.length)).toEqual([1000, 200]);
    const found = pages.flat();
    expect(found.map((i) => i.InstanceId)).toEqual(office);
    expect(found[0]).toMatchObject({
      State: { Code: 80, Name: 'stopped' },
      Tags: [
        { Key: 'Schedule', Value: 'office-hours' },
        { Key: 'Team', Value: 'web' },
      ],
    });
    const [first, second] = fake.requests;
    expect(first.params).toMatchObject({
      'Filter.1.Name': 'tag:Schedule',
      'Filter.1.Value.1': 'office-hours',
      MaxResults: '1000',
    });
    expect(second.params.NextToken).toEqual(expect.any(String));
    // Any of a filter's values, all filters, wildcards.
    const either = await describeAll([
      { Name: 'tag:Schedule', Values: ['office-hours', 'always'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
    expect(either.flat().map((i) => i.InstanceId)).toEqual(always);
    expect(
      (await describeAll([{ Name: 'tag:Schedule', Values: ['office-*'] }])).flat(),
    ).toHaveLength(1200);
    const byId = await ec2().send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'instance-id', Values: [office[5], always[7], 'i-0000000000000dead'] }],
      }),
    );
    expect(byId.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
      office[5],
      always[7],
    ]);
    // One reservation per launch: the instances of one addInstances are listed together.
    expect(byId.Reservations?.map((r) => r.ReservationId)).toHaveLength(2);
  });

  it('DescribeInstances: InstanceId lists, EC2 refusing MaxResults with them, bad pages', async () => {
    const ids = fake.resources.addInstances(3, { state: 'stopped' });
    const got = await ec2().send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(got.Reservations?.[0].Instances?.map((i) => [i.InstanceId, i.State?.Name])).toEqual(
      ids.map((id) => [id, 'stopped']),
    );
    expect(
      await failure(ec2().send(new DescribeInstancesCommand({ InstanceIds: ids, MaxResults: 5 }))),
    ).toEqual({ name: 'InvalidParameterCombination', status: 400, attempts: 1 });
    expect(
      await failure(ec2().send(new DescribeInstancesCommand({ MaxResults: 3 }))),
    ).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(
      await failure(
        ec2().send(new DescribeInstancesCommand({ NextToken: 'bogus', MaxResults: 5 })),
      ),
    ).toMatchObject({ name: 'InvalidPaginationToken' });
    expect(
      await failure(
        ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('Start/Stop/RebootInstances on several: each moves through its transition, listed in order', async () => {
    const stopped = fake.resources.addInstances(4, { state: 'stopped' });
    const started = await ec2().send(new StartInstancesCommand({ InstanceIds: stopped }));
    expect(started.StartingInstances).toEqual(
      stopped.map((InstanceId) => ({
        InstanceId,
        PreviousState: { Code: 80, Name: 'stopped' },
        CurrentState: { Code: 0, Name: 'pending' },
      })),
    );
    expect(fake.requests[0].params).toMatchObject({
      'InstanceId.1': stopped[0],
      'InstanceId.4': stopped[3],
    });
    const states = async (ids: string[]) =>
      (await ec2().send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations?.flatMap(
        (r) => r.Instances?.map((i) => i.State?.Name),
      );
    expect(await states(stopped)).toEqual(Array(4).fill('pending'));
    expect(await states(stopped)).toEqual(Array(4).fill('running'));
    // A stop of running and already stopped ones: the stopped one stays as it is.
    const [already] = fake.resources.addInstances(1, { state: 'stopped' });
    const res = await ec2().send(new StopInstancesCommand({ InstanceIds: [stopped[0], already] }));
    expect(
      res.StoppingInstances?.map((c) => [c.PreviousState?.Name, c.CurrentState?.Name]),
    ).toEqual([
      ['running', 'stopping'],
      ['stopped', 'stopped'],
    ]);
    // Starting one that is stopping is refused as a whole.
    expect(
      await failure(
        ec2().send(new StartInstancesCommand({ InstanceIds: [stopped[1], stopped[0]] })),
      ),
    ).toEqual({ name: 'IncorrectInstanceState', status: 400, attempts: 1 });
    const reboot = await ec2().send(new RebootInstancesCommand({ InstanceIds: stopped.slice(1) }));
    expect(reboot.$metadata.httpStatusCode).toBe(200);
    expect(await states(stopped.slice(1))).toEqual(Array(3).fill('running'));
  });

  it('failAction: a call naming the instance fails as a whole, with the code, and changes none', async () => {
    const ids = fake.resources.addInstances(5, { state: 'stopped' });
    fake.resources.failAction('ec2:StartInstances', ids[3], 'InsufficientInstanceCapacity');
    fake.resources.failAction('ec2:StopInstances', ids[0], 'IncorrectInstanceState', { times: 1 });
    expect(await failure(ec2().send(new StartInstancesCommand({ InstanceIds: ids })))).toEqual({
      name: 'InsufficientInstanceCapacity',
      status: 500,
      attempts: 1,
    });
    expect([...ids.map((id) => fake.resources.instances.get(id)?.state)]).toEqual(
      Array(5).fill('stopped'),
    );
    // Without it, the rest start.
    const rest = await ec2().send(new StartInstancesCommand({ InstanceIds: ids.slice(0, 3) }));
    expect(rest.StartingInstances).toHaveLength(3);
    expect(
      await failure(ec2().send(new StopInstancesCommand({ InstanceIds: ids.slice(0, 2) }))),
    ).toMatchObject({ name: 'IncorrectInstanceState', status: 400 });
    expect(fake.resources.instances.get(ids[1])?.state).toBe('pending');
    await ec2().send(new DescribeInstancesCommand({ InstanceIds: ids })); // pending -> running
    const stop = await ec2().send(new StopInstancesCommand({ InstanceIds: ids.slice(0, 2) }));
    expect(stop.StoppingInstances?.map((c) => c.CurrentState?.Name)).toEqual([
      'stopping',
      'stopping',
    ]);
  });

  it('GetResources: tag filters (all of them, any value), type filters, pages, realistic ARNs', async () => {
    const dbs = fake.resources.addDatabases(3, { tags: { Env: 'dev', Team: 'a' } });
    const clusters = fake.resources.addClusters(2, { tags: { Env: 'dev' } });
    const services = fake.resources.addServices(4, {
      cluster: 'dev-cluster',
      tags: { Env: 'dev', Team: 'a' },
    });
    fake.resources.addDatabases(2, { tags: { Env: 'prod' } });
    fake.resources.addInstances(2, { tags: { Env: 'dev' } });
    fake.resources.addDatabases(2); // untagged: never listed
    const tagging = new ResourceGroupsTaggingAPIClient({ region: REGION, maxAttempts: 1 });
    const arns: string[] = [];
    const sizes: number[] = [];
    for await (const p of paginateGetResources(
      { client: tagging, pageSize: 4 },
      {
        TagFilters: [{ Key: 'Env', Values: ['dev', 'staging'] }],
        ResourceTypeFilters: ['rds:db', 'rds:cluster', 'ecs:service'],
      },
    )) {
      sizes.push(p.ResourceTagMappingList?.length ?? 0);
      arns.push(...(p.ResourceTagMappingList ?? []).map((m) => m.ResourceARN as string));
    }
    expect(sizes).toEqual([4, 4, 1]);
    expect(arns).toEqual([
      ...dbs.map((id) => `arn:aws:rds:us-east-1:123456789012:db:${id}`),
      ...clusters.map((id) => `arn:aws:rds:us-east-1:123456789012:cluster:${id}`),
      ...services.map((s) => `arn:aws:ecs:us-east-1:123456789012:service/dev-cluster/${s}`),
    ]);
    const [req] = fake.requests;
    expect(req).toMatchObject({ service: 'tagging', action: 'GetResources' });
    expect(req.headers['x-amz-target']).toBe('ResourceGroupsTaggingAPI_20170126.GetResources');
    expect(req.headers.authorization).toMatch(/\/us-east-1\/tagging\/aws4_request/);
    const both = await tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'Env', Values: ['dev'] }, { Key: 'Team' }],
        ResourceTypeFilters: ['rds'],
      }),
    );
    expect(both.PaginationToken).toBe('');
    expect(both.ResourceTagMappingList?.map((m) => m.Tags)).toEqual(
      Array(3).fill([
        { Key: 'Env', Value: 'dev' },
        { Key: 'Team', Value: 'a' },
      ]),
    );
    expect(await failure(tagging.send(new GetResourcesCommand({ ResourcesPerPage: 101 })))).toEqual(
      {
        name: 'InvalidParameterException',
        status: 400,
        attempts: 1,
      },
    );
    expect(fake.counts.get('tagging:GetResources')).toBeGreaterThanOrEqual(5);
  });

  it('RDS: DB instances and Aurora clusters by db-instance-id / db-cluster-id filters, started and stopped', async () => {
    const rds = new RDSClient({ region: REGION, maxAttempts: 1 });
    const dbs = fake.resources.addDatabases(25, { tags: { Env: 'dev' } });
    const got = await rds.send(
      new DescribeDBInstancesCommand({
        Filters: [
          {
            Name: 'db-instance-id',
            Values: [dbs[0], `arn:aws:rds:us-east-1:123456789012:db:${dbs[4]}`, dbs[9]],
          },
        ],
      }),
    );
    expect(fake.requests[0].params).toMatchObject({
      'Filters.Filter.1.Name': 'db-instance-id',
      'Filters.Filter.1.Values.Value.3': dbs[9],
    });
    expect(got.DBInstances?.map((d) => [d.DBInstanceIdentifier, d.DBInstanceStatus])).toEqual([
      [dbs[0], 'available'],
      [dbs[4], 'available'],
      [dbs[9], 'available'],
    ]);
    expect(got.DBInstances?.[0].TagList).toEqual([{ Key: 'Env', Value: 'dev' }]);
    const firstPage = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    expect(firstPage.DBInstances).toHaveLength(20);
    const next = await rds.send(
      new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: firstPage.Marker }),
    );
    expect(next.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual(dbs.slice(20));
    expect(next.Marker).toBeUndefined();
    const stop = await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: dbs[1] }));
    expect(stop.DBInstance?.DBInstanceStatus).toBe('stopping');

    const clusters = fake.resources.addClusters(3, { tags: { Env: 'dev' }, state: 'available' });
    const cl = await rds.send(
      new DescribeDBClustersCommand({
        Filters: [{ Name: 'db-cluster-id', Values: clusters.slice(1) }],
      }),
    );
    expect(cl.DBClusters?.map((c) => [c.DBClusterIdentifier, c.Status, c.Engine])).toEqual(
      clusters.slice(1).map((id) => [id, 'available', 'aurora-postgresql']),
    );
    expect(cl.DBClusters?.[0].DBClusterArn).toBe(
      `arn:aws:rds:us-east-1:123456789012:cluster:${clusters[1]}`,
    );
    expect(cl.DBClusters?.[0].TagList).toEqual([{ Key: 'Env', Value: 'dev' }]);
    const stopped = await rds.send(new StopDBClusterCommand({ DBClusterIdentifier: clusters[0] }));
    expect(stopped.DBCluster?.Status).toBe('stopping');
    const status = async () =>
      (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusters[0] })))
        .DBClusters?.[0].Status;
    expect([await status(), await status()]).toEqual(['stopping', 'stopped']);
    fake.resources.failAction('rds:StopDBCluster', clusters[1], 'InvalidDBClusterStateFault');
    expect(
      await failure(rds.send(new StopDBClusterCommand({ DBClusterIdentifier: clusters[1] }))),
    ).toEqual({ name: 'InvalidDBClusterStateFault', status: 400, attempts: 1 });
  });

  it('Auto Scaling: groups by tag filters and name lists, in pages, with their Tags; updated', async () => {
    const asg = new AutoScalingClient({ region: REGION, maxAttempts: 1 });
    const dev = fake.resources.addGroups(120, { tags: { Env: 'dev' }, desired: 2, max: 4 });
    fake.resources.addGroups(5, { tags: { Env: 'prod' } });
    const names: string[] = [];
    for await (const p of paginateDescribeAutoScalingGroups(
      { client: asg, pageSize: 50 },
      { Filters: [{ Name: 'tag:Env', Values: ['dev', 'staging'] }] },
    ))
      names.push(...(p.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName as string));
    expect(names).toEqual(dev);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0].params).toMatchObject({
      'Filters.member.1.Name': 'tag:Env',
      'Filters.member.1.Values.member.2': 'staging',
      MaxRecords: '50',
    });
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: dev[1],
        DesiredCapacity: 0,
        MinSize: 0,
      }),
    );
    const listed = await asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: dev.slice(0, 3) }),
    );
    expect(
      listed.AutoScalingGroups?.map((g) => [g.AutoScalingGroupName, g.DesiredCapacity]),
    ).toEqual([
      [dev[0], 2],
      [dev[1], 0],
      [dev[2], 2],
    ]);
    expect(listed.AutoScalingGroups?.[0]).toMatchObject({
      MaxSize: 4,
      Tags: [
        {
          ResourceId: dev[0],
          ResourceType: 'auto-scaling-group',
          Key: 'Env',
          Value: 'dev',
          PropagateAtLaunch: true,
        },
      ],
    });
    expect(listed.AutoScalingGroups?.[0].AutoScalingGroupARN).toMatch(
      new RegExp(
        `^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/${dev[0]}$`,
      ),
    );
  });

  it('ECS: DescribeServices for up to 10 services of a cluster (names or ARNs), MISSING ones, UpdateService', async () => {
    const ecs = new ECSClient({ region: REGION, maxAttempts: 1 });
    const svcs = fake.resources.addServices(12, {
      cluster: 'dev',
      tags: { Env: 'dev' },
      desired: 3,
    });
    const arn = (s: string) => `arn:aws:ecs:us-east-1:123456789012:service/dev/${s}`;
    const got = await ecs.send(
      new DescribeServicesCommand({
        cluster: 'dev',
        services: [...svcs.slice(0, 8).map((s, i) => (i % 2 ? arn(s) : s)), 'gone'],
        include: ['TAGS'],
      }),
    );
    expect(got.services?.map((s) => [s.serviceArn, s.desiredCount, s.runningCount])).toEqual(
      svcs.slice(0, 8).map((s) => [arn(s), 3, 3]),
    );
    expect(got.services?.[0]).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/dev',
      tags: [{ key: 'Env', value: 'dev' }],
    });
    expect(got.failures).toEqual([{ arn: arn('gone'), reason: 'MISSING' }]);
    expect(
      await failure(
        ecs.send(new DescribeServicesCommand({ cluster: 'dev', services: svcs.slice(0, 11) })),
      ),
    ).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'dev', service: svcs[11], desiredCount: 0 }),
    );
    const running = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: 'dev', services: [svcs[11]] })))
        .services?.[0].runningCount;
    expect([await running(), await running()]).toEqual([3, 0]);
    expect(
      await failure(
        ecs.send(new UpdateServiceCommand({ cluster: 'dev', service: 'gone', desiredCount: 0 })),
      ),
    ).toMatchObject({ name: 'ServiceNotFoundException' });
  });

  it('rate limits: EC2 request and resource buckets answer RequestLimitExceeded (503) when empty', async () => {
    fake.rateLimits = true;
    let now = 0;
    fake.rateBuckets.now = () => now; // frozen: no refill unless the test moves the clock
    const throttledBefore = fake.throttled;
    const countBefore = fake.counts.get('ec2:DescribeInstances') ?? 0;
    for (let i = 0; i < 100; i++) await ec2().send(new DescribeInstancesCommand({}));
    expect(await failure(ec2().send(new DescribeInstancesCommand({})))).toEqual({
      name: 'RequestLimitExceeded',
      status: 503,
      attempts: 1,
    });
    expect(fake.throttled - throttledBefore).toBe(1);
    expect((fake.counts.get('ec2:DescribeInstances') ?? 0) - countBefore).toBe(101);
    now += 1000; // 20 tokens back
    for (let i = 0; i < 20; i++) await ec2().send(new DescribeInstancesCommand({}));
    await expect(ec2().send(new DescribeInstancesCommand({}))).rejects.toThrow(
      'Request limit exceeded.',
    );

    // Resource tokens: one per instance named; 1,000 for StartInstances.
    const ids = fake.resources.addInstances(1001, { state: 'stopped' });
    await ec2().send(new StartInstancesCommand({ InstanceIds: ids.slice(0, 1000) }));
    expect(fake.rateBuckets.tokens('ec2:StartInstances', 'resource')).toBe(0);
    expect(
      await failure(ec2().send(new StartInstancesCommand({ InstanceIds: [ids[1000]] }))),
    ).toMatchObject({
      name: 'RequestLimitExceeded',
    });
    expect(fake.resources.instances.get(ids[1000])?.state).toBe('stopped');
    // Request tokens: 50 StopInstances calls, the 51st refused.
    const running = fake.resources.addInstances(51, { state: 'running' });
    for (let i = 0; i < 50; i++)
      await ec2().send(new StopInstancesCommand({ InstanceIds: [running[i]] }));
    expect(
      await failure(ec2().send(new StopInstancesCommand({ InstanceIds: [running[50]] }))),
    ).toMatchObject({
      name: 'RequestLimitExceeded',
      status: 503,
    });
  });

  it('rate limits with the default retry mode: RequestLimitExceeded after the SDK retries', async () => {
    fake.rateLimits = true;
    fake.rateBuckets.now = () => 0;
    fake.rateBuckets.table['ec2:RebootInstances'].request.capacity = 1;
    const [id] = fake.resources.addInstances(1);
    const client = new EC2Client({ region: REGION }); // standard retries, 3 attempts
    await client.send(new RebootInstancesCommand({ InstanceIds: [id] }));
    expect(await failure(client.send(new RebootInstancesCommand({ InstanceIds: [id] })))).toEqual({
      name: 'RequestLimitExceeded',
      status: 503,
      attempts: 3,
    });
    expect(fake.requests.filter((r) => r.action === 'RebootInstances')).toHaveLength(4);
  });

  it('latencyMs delays the fleet calls too; counts count them', async () => {
    fake.latencyMs = 60;
    try {
      const ids = fake.resources.addInstances(3, { state: 'stopped', tags: { Env: 'dev' } });
      const t0 = Date.now();
      await ec2().send(new StartInstancesCommand({ InstanceIds: ids }));
      await new ResourceGroupsTaggingAPIClient({ region: REGION, maxAttempts: 1 }).send(
        new GetResourcesCommand({ TagFilters: [{ Key: 'Env' }] }),
      );
      expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
      expect(fake.counts.get('ec2:StartInstances')).toBeGreaterThanOrEqual(1);
    } finally {
      fake.latencyMs = 0;
    }
  });
});

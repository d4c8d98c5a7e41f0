import { ActionCounter } from './action-counter';
import { BATCH_FROM, ChaosCluster, ClusterOptions } from './chaos-cluster';

/** The Redis a scenario's replicas use: started before them, stopped after them. */
export interface ScenarioRedis {
  /** Where the replicas connect (unless `address` or `portOf` say otherwise). */
  port: number;
  /** queueProvider.config keys reaching it instead of host and port (e.g. the Sentinels). */
  address?: Record<string, unknown>;
  /** Where replica `name` connects instead of `port` (a proxy's port), if anywhere else. */
  portOf?(name: string): number | undefined;
  /** Before the replicas stop: a proxy left cut is restored, so they stop as a deploy stops them. */
  beforeClusterStop?(): void;
  stop(): Promise<void>;
}

/** The cluster's options but the endpoint and Redis, and the fake endpoint's latency (ms). */
export type ScenarioOptions = Omit<ClusterOptions, 'awsUrl' | 'redisPort' | 'redisAddress'> & {
  latencyMs: number;
};

export interface Scenario<R extends ScenarioRedis> {
  counter: ActionCounter;
  redis: R;
  cluster: ChaosCluster;
}

/**
 * A Redis scenario's setup and teardown (beforeAll / afterAll of the describe calling it): the
 * fake AWS endpoint counting actions, the Redis `startRedis` starts, and replicas `names` (all
 * ready). The fields are set once beforeAll has run.
 */
export function chaosScenario<R extends ScenarioRedis>(
  startRedis: () => Promise<R>,
  options: ScenarioOptions,
  names = ['a', 'b', 'c'],
): Scenario<R> {
  const { latencyMs, ...clusterOptions } = options;
  const scenario = { counter: new ActionCounter() } as Scenario<R>;
  beforeAll(async () => {
    await scenario.counter.start(latencyMs);
    const redis = (scenario.redis = await startRedis());
    scenario.cluster = new ChaosCluster({
      ...clusterOptions,
      awsUrl: scenario.counter.url,
      redisPort: redis.port,
      redisAddress: redis.address,
    });
    await Promise.all(names.map((name) => scenario.cluster.start(name, redis.portOf?.(name))));
  }, 180_000);

  afterAll(async () => {
    scenario.redis?.beforeClusterStop?.();
    await scenario.cluster?.stop();
    await scenario.redis?.stop();
    await scenario.counter.stop();
  });
  return scenario;
}

/** `batchFrom` of a scenario's batched run: below every burst, so each goes in batches. */
const SCENARIO_BATCH_FROM = 10;

/**
 * The queue modes a spec runs its scenario in (describe.each): as the suite is run (one queue
 * entry per occurrence, or CHAOS_BATCH_FROM's batches), and batched ticks, unless
 * CHAOS_BATCH_FROM already batches every scenario.
 */
export const QUEUE_MODES: { mode: string; batchFrom?: number }[] = [
  { mode: BATCH_FROM > 0 ? `batchFrom ${BATCH_FROM}` : 'one queue entry per occurrence' },
  ...(BATCH_FROM > 0 ? [] : [{ mode: 'batched ticks', batchFrom: SCENARIO_BATCH_FROM }]),
];

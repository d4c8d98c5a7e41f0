import { FakeAws } from './fake-aws';

/**
 * A FakeAws for the enclosing `describe`, with the SDK pointed at it (AWS_ENDPOINT_URL_* and a
 * test key, see `FakeAws.pointSdkAt`): started before its first test and stopped, the
 * environment restored, after its last; reset (requests, overridden answers, resource states,
 * log groups) before each test.
 */
export function useFakeAws(): FakeAws {
  const fake = new FakeAws();
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    restoreEnv = FakeAws.pointSdkAt(await fake.start());
  });

  afterAll(async () => {
    restoreEnv?.();
    await fake.stop();
  });

  beforeEach(() => fake.reset());

  return fake;
}

/** Waits polled every few milliseconds: the fake's resources settle after one describe. */
export const FAST_WAIT = { waitTimeout: '20s', waitPollMin: '10ms', waitPollMax: '20ms' };

/** The runner names the AWS specs use, with their types. */
const RUNNER_TYPES = {
  dummyRunner: 'dummy',
  instanceRunner: 'instance',
  databaseRunner: 'database',
  serviceRunner: 'service',
  taskRunner: 'task',
  autoScalingRunner: 'autoscaling',
  stackRunner: 'sequence',
} as const;

const WAITS_FOR_NOTHING: string[] = ['dummy', 'sequence'];

/**
 * The config of the `spinup` account (us-east-1) that may use `runners`, and those runners:
 * the AWS ones polling their fake resources every few milliseconds (or as `wait` says).
 */
export function spinupConfig(
  runners: (keyof typeof RUNNER_TYPES)[],
  wait: Record<string, string> = FAST_WAIT,
) {
  return {
    accounts: { spinup: { runners, region: 'us-east-1' } },
    jobRunners: Object.fromEntries(
      runners.map((name) => {
        const type = RUNNER_TYPES[name];
        return [name, WAITS_FOR_NOTHING.includes(type) ? { type } : { type, config: wait }];
      }),
    ),
  };
}

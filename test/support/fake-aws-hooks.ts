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

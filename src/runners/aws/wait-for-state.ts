import {
  checkExceptions,
  createWaiter,
  WaiterConfiguration,
  WaiterResult,
  WaiterState,
  waiterServiceDefaults,
} from '@smithy/core/client';
import { WaitEnd, WaitLimits } from '../../domain/outcome';
import { isAccessDenied } from './aws-errors';

/** What the waiters need of an SDK v3 client. */
interface Sendable {
  // The SDK's send is overloaded per command; the waiters only call it with their describe command.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any, options?: any): Promise<any>;
}

/** An SDK waiter (`waitUntilInstanceRunning` and the like) with its input already bound. */
export type BoundWaiter<C> = (params: WaiterConfiguration<C>) => Promise<unknown>;

/**
 * Runs an AWS SDK v3 waiter (or a `describedPoll`) against `client` within `limits`, and says
 * how it ended with the state last described. The waiter's own backoff (exponential with jitter,
 * from @smithy/util-waiter) spaces the describe calls; throttling and other passing errors are
 * retried by the SDK and by the waiter. The client it gets passes `signal` on to every call and
 * notes the state in each answer, so a timeout still reports where the resource was (a
 * not-found error counts as the state "not found"); a describe refused for
 * lack of permission ends the wait at once as `refused` (polling on cannot fix it).
 */
export async function waitForState<C extends Sendable, R>(
  client: C,
  limits: WaitLimits,
  signal: AbortSignal,
  waiter: BoundWaiter<C>,
  stateOf: (response: R) => string | null,
): Promise<WaitEnd> {
  let last: string | null = null;
  let refusal: Error | undefined;
  const stop = new AbortController();
  const observed = Object.create(client) as C;
  observed.send = async (command: unknown, options?: object) => {
    try {
      const response = (await client.send(command, { ...options, abortSignal: signal })) as R;
      last = stateOf(response);
      return response;
    } catch (err) {
      // The resource is gone: that is where it went (EC2 InvalidInstanceID.NotFound, RDS
      // DBInstanceNotFoundFault, ...). Other errors leave the last state seen as it was.
      if (/NotFound/.test((err as Error)?.name ?? '')) last = 'not found';
      if (isAccessDenied(err)) {
        refusal = err as Error;
        stop.abort();
      }
      throw err;
    }
  };
  const state = () => last;
  try {
    await waiter({
      client: observed,
      maxWaitTime: limits.timeoutMs / 1000,
      minDelay: limits.minDelayMs / 1000,
      maxDelay: limits.maxDelayMs / 1000,
      abortSignal: signal,
      abortController: stop,
    });
    return { result: 'reached', state: state() };
  } catch (err) {
    if (refusal) {
      return { result: 'refused', state: state(), detail: `${refusal.name}: ${refusal.message}` };
    }
    if (signal.aborted) {
      const reason = signal.reason as Error | undefined;
      return { result: 'interrupted', state: state(), detail: reason?.message };
    }
    if ((err as Error).name === 'TimeoutError') return { result: 'timeout', state: state() };
    return { result: 'elsewhere', state: state() };
  }
}

export type Verdict = 'reached' | 'elsewhere' | 'pending';

/**
 * A waiter for a state the SDK has no waiter for (an RDS database stopped, an Auto Scaling group
 * in service at its desired capacity): `describe` once per poll, `judge` the answer. Built on
 * the same createWaiter as the SDK's own waiters, so backoff, limits and abort behave alike.
 */
export function describedPoll<C, R>(
  describe: (client: C) => Promise<R>,
  judge: (response: R) => Verdict,
): BoundWaiter<C> {
  const states = {
    reached: WaiterState.SUCCESS,
    elsewhere: WaiterState.FAILURE,
    pending: WaiterState.RETRY,
  };
  return async (params) =>
    checkExceptions(
      await createWaiter(
        { ...waiterServiceDefaults, ...params },
        undefined,
        async (client): Promise<WaiterResult> => {
          try {
            const response = await describe(client);
            return { state: states[judge(response)], reason: response };
          } catch (err) {
            // As the SDK's waiters do: an error is one more poll (the observer ends on refusals).
            return { state: WaiterState.RETRY, reason: err };
          }
        },
      ),
    );
}

import { FleetTarget } from '../domain/fleet';
import { ManualClock } from '../../test/support/manual-clock';
import { awaitFleet, fleetSentence } from './await-fleet';

const LIMITS = { timeoutMs: 60_000, minDelayMs: 1, maxDelayMs: 2 };

function target(poll: FleetTarget['poll']): FleetTarget {
  return {
    kind: 'instance',
    selector: 'Schedule=office-hours',
    state: 'stopped',
    members: [
      { id: 'i-1', before: 'running', actedAt: Date.parse('2026-12-07T18:00:00Z') },
      { id: 'i-2', before: 'running', actedAt: Date.parse('2026-12-07T18:00:00Z') },
      { id: 'i-3', before: 'running', error: 'InsufficientInstanceCapacity' },
      { id: 'i-4', before: 'stopped', already: true },
      { id: 'i-5', before: 'running', skipped: 'tag minion:skip' },
    ],
    poll,
  };
}

describe('awaitFleet', () => {
  it('each member ends on its own: reached with when and how long, failed, already, skipped', async () => {
    const clock = new ManualClock('2026-12-07T18:00:00Z');
    let polls = 0;
    const end = await awaitFleet(
      target(async (pending) => {
        polls++;
        clock.advance(30_000);
        // i-1 arrives at the first poll, i-2 at the second.
        return new Map(
          pending.map((id) => [
            id,
            id === 'i-1' || polls > 1
              ? { verdict: 'reached' as const, state: 'stopped' }
              : { verdict: 'pending' as const, state: 'stopping' },
          ]),
        );
      }),
      LIMITS,
      new AbortController().signal,
      clock,
    );
    expect(polls).toBe(2);
    expect(end.resources).toEqual([
      {
        id: 'i-1',
        result: 'reached',
        before: 'running',
        state: 'stopped',
        reached_at: '2026-12-07T18:00:30.000Z',
        ms: 30_000,
      },
      {
        id: 'i-2',
        result: 'reached',
        before: 'running',
        state: 'stopped',
        reached_at: '2026-12-07T18:01:00.000Z',
        ms: 60_000,
      },
      { id: 'i-3', result: 'failed', before: 'running', detail: 'InsufficientInstanceCapacity' },
      { id: 'i-4', result: 'already', before: 'stopped', state: 'stopped' },
      { id: 'i-5', result: 'skipped', before: 'running', detail: 'tag minion:skip' },
    ]);
    expect(end.summary).toEqual({
      selector: 'Schedule=office-hours',
      target: 'stopped',
      matched: 5,
      skipped: 1,
      already: 1,
      acted: 3,
      reached: 2,
      missed: 1,
    });
    expect(fleetSentence('instance', end)).toBe(
      '3 of 4 instance(s) matching Schedule=office-hours are stopped (1 already were); 1 skipped (skip tag); 1 did not: i-3 (failed: InsufficientInstanceCapacity)',
    );
  });

  it('at the limit, what is still on its way ends as timeout with the state last seen', async () => {
    const clock = new ManualClock('2026-12-07T18:00:00Z');
    const end = await awaitFleet(
      target(async (pending) => {
        clock.advance(40_000);
        return new Map(
          pending.map((id) => [id, { verdict: 'pending' as const, state: 'stopping' }]),
        );
      }),
      LIMITS,
      new AbortController().signal,
      clock,
    );
    expect(end.resources.slice(0, 2)).toEqual([
      expect.objectContaining({ id: 'i-1', result: 'timeout', state: 'stopping' }),
      expect.objectContaining({ id: 'i-2', result: 'timeout', state: 'stopping' }),
    ]);
    expect(end.summary.missed).toBe(3);
  });

  it('shutdown ends the wait at once: interrupted, with the state last seen', async () => {
    const clock = new ManualClock('2026-12-07T18:00:00Z');
    const shutdown = new AbortController();
    const end = await awaitFleet(
      target(async (pending) => {
        shutdown.abort(new Error('minion is shutting down'));
        return new Map(
          pending.map((id) => [id, { verdict: 'pending' as const, state: 'stopping' }]),
        );
      }),
      LIMITS,
      shutdown.signal,
      clock,
    );
    expect(end.resources[0]).toMatchObject({ result: 'interrupted', state: 'stopping' });
  });

  it('a describe refused for lack of permission ends the wait as refused', async () => {
    const clock = new ManualClock('2026-12-07T18:00:00Z');
    const end = await awaitFleet(
      target(async () => {
        throw Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' });
      }),
      LIMITS,
      new AbortController().signal,
      clock,
    );
    expect(end.resources[0]).toMatchObject({
      result: 'refused',
      detail: 'UnauthorizedOperation: not authorized',
    });
  });

  it('without a wait, what was acted on is "not waited"', async () => {
    const clock = new ManualClock('2026-12-07T18:00:00Z');
    const end = await awaitFleet(target(null), null, new AbortController().signal, clock);
    expect(end.resources[0].result).toBe('not waited');
    expect(end.summary).toMatchObject({ reached: 2, missed: 1 });
  });
});

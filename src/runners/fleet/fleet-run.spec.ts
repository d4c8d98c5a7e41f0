import { RunnerError } from '../../common/errors';
import { actOnFleet, FleetContext, FleetOps, Matched, previewFleet } from './fleet-run';
import { FLEET_DEFAULTS } from './fleet-settings';
import { parseTagSelector } from './tag-selector';

const NOW = new Date('2026-12-07T18:00:00Z');

/** A fleet of `count` instances, all running, acting by recording calls; `refuse` fails ids. */
function fakeOps(
  matched: Matched[],
  options: { batchSize?: number; refuse?: (ids: string[]) => Error | null } = {},
) {
  const calls: string[][] = [];
  const ops: FleetOps = {
    kind: 'instance',
    state: 'stopped',
    batchSize: options.batchSize ?? 3,
    resolve: async () => matched,
    isAt: (state) => state === 'stopped',
    onTheWay: (state) => state === 'stopping',
    async act(ids) {
      calls.push(ids);
      const err = options.refuse?.(ids);
      if (err) throw err;
    },
    describe: async (ids) => new Map(ids.map((id) => [id, 'stopped'])),
    judge: (state) => (state === 'stopped' ? 'reached' : 'pending'),
  };
  return { ops, calls };
}

const running = (n: number, tags: Record<string, string> = {}): Matched[] =>
  Array.from({ length: n }, (_, i) => ({ id: `i-${i}`, state: 'running', tags }));

function ctx(overrides: Partial<FleetContext> = {}): FleetContext {
  return {
    selector: parseTagSelector({ tag_selector: 'Schedule=office-hours' })!,
    settings: FLEET_DEFAULTS,
    limit: 1000,
    identity: 'account "a" via the default credential chain',
    now: () => NOW,
    signal: new AbortController().signal,
    waits: true,
    ...overrides,
  };
}

const awsError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} from AWS`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

describe('actOnFleet', () => {
  it('acts in batches of batchSize, marks each member acted, and polls when waiting', async () => {
    const { ops, calls } = fakeOps(running(7));
    const fleet = await actOnFleet(ops, ctx());
    expect(calls).toEqual([['i-0', 'i-1', 'i-2'], ['i-3', 'i-4', 'i-5'], ['i-6']]);
    expect(fleet.members.every((m) => m.actedAt === NOW.getTime() && !m.error)).toBe(true);
    expect(fleet.poll).not.toBeNull();
    expect(fleet).toMatchObject({
      kind: 'instance',
      selector: 'Schedule=office-hours',
      state: 'stopped',
    });
  });

  it('leaves alone what is there already, what carries the skip tag, and waits for what is on its way', async () => {
    const matched: Matched[] = [
      { id: 'i-at', state: 'stopped', tags: {} },
      { id: 'i-snoozed', state: 'running', tags: { 'minion:skip': '2026-12-11T18:00:00Z' } },
      { id: 'i-expired', state: 'running', tags: { 'minion:skip': '2026-12-01T00:00:00Z' } },
      { id: 'i-going', state: 'stopping', tags: {} },
      { id: 'i-aurora', state: 'running', tags: {}, leftAlone: 'an instance of a cluster' },
    ];
    const { ops, calls } = fakeOps(matched);
    const fleet = await actOnFleet(ops, ctx());
    expect(calls).toEqual([['i-expired']]);
    const byId = Object.fromEntries(fleet.members.map((m) => [m.id, m]));
    expect(byId['i-at'].already).toBe(true);
    expect(byId['i-snoozed'].skipped).toBe('tag minion:skip until 2026-12-11T18:00:00Z');
    expect(byId['i-expired'].skipped).toBeUndefined();
    expect(byId['i-going'].actedAt).toBe(NOW.getTime()); // waited for, not asked again
    expect(byId['i-aurora'].skipped).toBe('an instance of a cluster');
  });

  it('a batch the service refuses is tried id by id: the refusal lands on its resource alone', async () => {
    const { ops, calls } = fakeOps(running(4), {
      refuse: (ids) => (ids.includes('i-2') ? awsError('InsufficientInstanceCapacity', 500) : null),
    });
    const fleet = await actOnFleet(ops, ctx());
    // Batches run side by side (actConcurrency): compare the calls, not their order.
    expect(calls.map((c) => c.join(',')).sort()).toEqual([
      'i-0',
      'i-0,i-1,i-2',
      'i-1',
      'i-2',
      'i-3',
    ]);
    const failed = fleet.members.filter((m) => m.error);
    expect(failed.map((m) => m.id)).toEqual(['i-2']);
    expect(failed[0].error).toMatch(/InsufficientInstanceCapacity/);
  });

  it('a throttled call is retried, never a resource failure', async () => {
    let throttles = 2;
    const { ops, calls } = fakeOps(running(2), {
      refuse: () => (throttles-- > 0 ? awsError('RequestLimitExceeded', 503) : null),
    });
    const fleet = await actOnFleet(ops, ctx());
    expect(calls).toHaveLength(3);
    expect(fleet.members.some((m) => m.error)).toBe(false);
  }, 20_000);

  it('stops at the run timeout and says which resources it acted on and which not', async () => {
    const controller = new AbortController();
    const { ops, calls } = fakeOps(running(7), { batchSize: 2 });
    const act = ops.act.bind(ops);
    // The second call meets the limit: the pacing wait before it is cut off.
    ops.act = async (ids, signal) => {
      if (calls.length === 1) {
        controller.abort(new Error('run timed out after 300000 ms'));
        signal.throwIfAborted();
      }
      await act(ids, signal);
    };
    const fleet = await actOnFleet(
      ops,
      ctx({ signal: controller.signal, settings: { ...FLEET_DEFAULTS, actConcurrency: 1 } }),
    );
    expect(calls).toEqual([['i-0', 'i-1']]);
    const acted = fleet.members.filter((m) => m.actedAt !== undefined).map((m) => m.id);
    expect(acted).toEqual(['i-0', 'i-1']);
    const notDone = fleet.members.filter((m) => m.error);
    expect(notDone.map((m) => m.id)).toEqual(['i-2', 'i-3', 'i-4', 'i-5', 'i-6']);
    expect(notDone[0].error).toBe(
      'not done (run timed out after 300000 ms): not acted on, or not answered',
    );
    expect(fleet.poll).not.toBeNull(); // the two acted on are still waited for
  });

  it('refusal of access fails the whole batch without trying each id', async () => {
    const { ops, calls } = fakeOps(running(3), {
      refuse: () => awsError('UnauthorizedOperation', 403),
    });
    const fleet = await actOnFleet(ops, ctx());
    expect(calls).toHaveLength(1);
    expect(fleet.members.every((m) => /refused for account "a"/.test(m.error ?? ''))).toBe(true);
  });

  it('a selector matching more than the limit acts on none, permanently', async () => {
    const { ops, calls } = fakeOps(running(11));
    const error = await actOnFleet(ops, ctx({ limit: 10 })).catch((e) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).permanent).toBe(true);
    expect((error as Error).message).toMatch(
      /matched 11 instances, more than the limit of 10.*acted on none/,
    );
    expect(calls).toHaveLength(0);
  });

  it('matching nothing is an empty fleet, with nothing to poll', async () => {
    const { ops } = fakeOps([]);
    const fleet = await actOnFleet(ops, ctx());
    expect(fleet.members).toEqual([]);
    expect(fleet.poll).toBeNull();
  });

  it('without a wait (wait: "false") there is nothing to poll', async () => {
    const { ops } = fakeOps(running(2));
    expect((await actOnFleet(ops, ctx({ waits: false }))).poll).toBeNull();
  });
});

describe('previewFleet (dry run)', () => {
  it('counts what would be acted on, what is there, what is skipped and why, and the limit', async () => {
    const matched: Matched[] = [
      ...running(3),
      { id: 'i-stopped', state: 'stopped', tags: {} },
      { id: 'i-snoozed', state: 'running', tags: { 'minion:skip': '' } },
    ];
    const { ops, calls } = fakeOps(matched);
    const preview = await previewFleet(ops, ctx({ limit: 4 }));
    expect(preview).toEqual({
      selector: 'Schedule=office-hours',
      matched: 5,
      acting: 3,
      ids: ['i-0', 'i-1', 'i-2'],
      skipped: 1,
      skipped_ids: [{ id: 'i-snoozed', reason: 'tag minion:skip' }],
      already: 1,
      limit: 4,
      refused: true,
    });
    expect(calls).toHaveLength(0);
  });
});

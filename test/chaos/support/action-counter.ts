import { FakeAws, RecordedRequest } from '../../support/fake-aws';

/** What one scenario prints and asserts: every action counted at the fake AWS endpoint. */
export interface ActionCounts {
  /** Occurrences that were due (one per instance: each job reboots its own instance once). */
  due: number;
  /** Occurrences acted on at least once. */
  run: number;
  /** Occurrences acted on more than once. */
  duplicated: number;
  /** Occurrences never acted on. */
  missed: number;
  /** How many occurrences got 0, 1, 2... actions. */
  actionsPerOccurrence: Record<number, number>;
}

/** The access key a replica signs with (AWS_ACCESS_KEY_ID), so the endpoint knows who called. */
export const replicaKey = (name: string) => `AKIACHAOS${name.toUpperCase().padEnd(8, '0')}`;

function keyOf(req: RecordedRequest): string {
  const auth = String(req.headers.authorization ?? '');
  return /Credential=([^/]+)\//.exec(auth)?.[1] ?? '';
}

/**
 * The fake AWS endpoint of a scenario, counting the action every occurrence causes: each job
 * reboots its own EC2 instance (RebootInstances is not idempotent: every call counts, unlike a
 * start that finds the instance running) and is due once in the scenario, so the RebootInstances
 * calls naming an instance are the actions of one occurrence. Requests of one replica (by its
 * access key) can be held in flight, as a replica frozen mid-run leaves them.
 */
export class ActionCounter {
  readonly fake = new FakeAws();
  /** Instance id -> the replicas (access keys) that rebooted it, in order. */
  readonly reboots = new Map<string, string[]>();
  private held?: { key?: string; action: string; release: Promise<void>; waiting: number };
  private releaseHeld?: () => void;
  url = '';

  async start(latencyMs: number): Promise<string> {
    this.fake.recordRequests = false;
    this.fake.latencyMs = latencyMs;
    this.fake.gate = async (req) => {
      const held = this.held;
      if (held && req.action === held.action && held.key === undefined) held.key = keyOf(req);
      if (held && keyOf(req) === held.key && req.action === held.action) {
        held.waiting++;
        await held.release;
      }
      if (req.service === 'ec2' && req.action === 'RebootInstances') {
        const id = req.params['InstanceId.1'];
        this.reboots.set(id, [...(this.reboots.get(id) ?? []), keyOf(req)]);
      }
    };
    this.url = await this.fake.start();
    return this.url;
  }

  /**
   * Holds every `action` request of one replica until `release()`: the replica signing with
   * `key`, or else the first to send one (with batched ticks, the replica holding the batch).
   */
  hold(action: string, key?: string): void {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.held = { key, action, release: promise, waiting: 0 };
    this.releaseHeld = release;
  }

  /** Requests held so far. */
  get holding(): number {
    return this.held?.waiting ?? 0;
  }

  /** The access key of the replica whose requests are held (none yet: undefined). */
  get heldKey(): string | undefined {
    return this.held?.key;
  }

  release(): void {
    this.held = undefined;
    this.releaseHeld?.();
  }

  /** Reboots of these instances so far. */
  rebootsOf(instances: string[]): number {
    return instances.reduce((n, id) => n + (this.reboots.get(id)?.length ?? 0), 0);
  }

  /** Instances of `instances` rebooted at least once. */
  rebooted(instances: string[]): number {
    return instances.filter((id) => (this.reboots.get(id)?.length ?? 0) > 0).length;
  }

  /** Instances of `instances` that `key`'s replica rebooted. */
  rebootedBy(key: string, instances: string[]): number {
    return instances.filter((id) => this.reboots.get(id)?.includes(key)).length;
  }

  counts(instances: string[]): ActionCounts {
    const perOccurrence: Record<number, number> = {};
    for (const id of instances) {
      const n = this.reboots.get(id)?.length ?? 0;
      perOccurrence[n] = (perOccurrence[n] ?? 0) + 1;
    }
    return {
      due: instances.length,
      run: instances.length - (perOccurrence[0] ?? 0),
      duplicated: instances.filter((id) => (this.reboots.get(id)?.length ?? 0) > 1).length,
      missed: perOccurrence[0] ?? 0,
      actionsPerOccurrence: perOccurrence,
    };
  }

  async stop(): Promise<void> {
    this.release();
    await this.fake.stop();
  }
}

/** One line a scenario prints (the suite's output is its report). */
export function printCounts(
  scenario: string,
  counts: ActionCounts,
  extra: Record<string, unknown> = {},
): void {
  const per = Object.entries(counts.actionsPerOccurrence)
    .map(([actions, n]) => `${actions}:${n}`)
    .join(' ');
  const more = Object.entries(extra)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  process.stdout.write(
    `[chaos] ${scenario}: due ${counts.due}, run ${counts.run}, duplicated ${counts.duplicated}, ` +
      `missed ${counts.missed}, actions per occurrence {${per}}${more ? `, ${more}` : ''}\n`,
  );
}

import { StepOutcome } from '../../domain/sequence';
import { SequenceProgress } from '../sequence-progress';
import { RedisConnections } from './redis-connections';

/** Kept a week: a sequence retried later than that starts again from its first step. */
const KEEP_S = 7 * 24 * 3600;

/** Sequence progress on Redis (`<prefix>:sequence:<run id>`), seen by every replica. */
export class RedisSequenceProgress extends SequenceProgress {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  private key(runId: string): string {
    return `${this.redis.settings.prefix}:sequence:${runId}`;
  }

  async load(runId: string): Promise<StepOutcome[]> {
    const raw = await this.redis.commands.get(this.key(runId));
    return raw ? (JSON.parse(raw) as StepOutcome[]) : [];
  }

  async save(runId: string, done: StepOutcome[]): Promise<void> {
    await this.redis.commands.set(this.key(runId), JSON.stringify(done), 'EX', KEEP_S);
  }

  async clear(runId: string): Promise<void> {
    await this.redis.commands.del(this.key(runId));
  }
}

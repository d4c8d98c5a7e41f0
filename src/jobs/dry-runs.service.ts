import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ServiceUnavailableError } from '../common/errors';
import { TimeoutError, withDeadline } from '../common/timeout';
import { DryRunReport } from '../domain/dry-run';
import { RUN_ANSWER_GRACE_MS } from '../domain/attempt';
import { JobDocument } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { ResourceAction } from '../domain/resource-action';
import { FleetMatches } from '../job-cache/fleet-matches.service';
import { JobsRepository } from '../repository/jobs.repository';
import { MAX_SEQUENCE_DEPTH, StepRef } from '../domain/sequence';
import { RunSettings } from '../runs/runs.config';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobRequestDto } from './dto/job-request.dto';
import { JobsService } from './jobs.service';

/** A dry run's describe calls answer within this, or the API answers 503. */
const DRY_RUN_TIMEOUT_MS = 20_000;

export interface DryRunAnswer extends DryRunReport {
  /** The job's runner (`details.runner`) and its type. */
  runner: string;
  type: string;
  /** The resource the job acts on and what it does to it, as its runner describes it; null: none. */
  acts_on: ResourceAction | null;
  /**
   * The longest this run could take: for one job, its action's time limit and its wait's (each
   * attempt); for a sequence, the sum over its steps.
   */
  worst_case_ms: number;
  /** For a sequence: each step's dry run, in order. */
  steps?: (DryRunAnswer & { step: number; job: string })[];
}

/**
 * What running a job now would do, found without doing it: the runner describes the resource
 * and checks what it can. Nothing is stored, run or recorded.
 */
@Injectable()
export class DryRunsService {
  constructor(
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly fleetMatches: FleetMatches,
    private readonly settings: RunSettings,
  ) {}

  /** The stored job. */
  async dryRun(key: JobKey): Promise<DryRunAnswer> {
    const { document } = await this.repository.get(key);
    return this.dryRunDocument(document);
  }

  /** A job body not saved: validated as a create would validate it. */
  dryRunUnsaved(account: string, group: string, request: JobRequestDto): Promise<DryRunAnswer> {
    return this.dryRunDocument(this.jobs.buildDocument({ account, group, id: 'unsaved' }, request));
  }

  private async dryRunDocument(doc: JobDocument, depth = 1): Promise<DryRunAnswer> {
    const { runner, details, wait } = this.runners.parse(doc.account, doc.details);
    try {
      const report = await withDeadline(
        (signal) =>
          runner.dryRun(
            { account: doc.account, job: doc, signal, now: () => this.clock.now() },
            details,
          ),
        DRY_RUN_TIMEOUT_MS,
        'the dry run',
      );
      const actsOn = runner.actsOn(details);
      if (report.fleet && actsOn && doc.id !== 'unsaved') {
        const kind = actsOn.resource.slice(0, actsOn.resource.indexOf(':'));
        this.fleetMatches.remember(doc, kind, report.fleet.ids, this.clock.now());
      }
      const answer = { runner: runner.name, type: runner.type, acts_on: actsOn, ...report };
      const refs = runner.references(details);
      if (refs.length === 0 || depth > MAX_SEQUENCE_DEPTH) {
        return { ...answer, worst_case_ms: this.worstCase(wait?.timeoutMs ?? 0) };
      }
      const steps = await this.walk(doc, refs, depth);
      return { ...answer, steps, worst_case_ms: steps.reduce((n, s) => n + s.worst_case_ms, 0) };
    } catch (err) {
      if (err instanceof TimeoutError) throw new ServiceUnavailableError(err.message);
      throw err;
    }
  }

  /** Each step's own dry run, in order; a step that cannot be read or run says so in `would`. */
  private async walk(
    doc: JobDocument,
    refs: StepRef[],
    depth: number,
  ): Promise<NonNullable<DryRunAnswer['steps']>> {
    const steps: NonNullable<DryRunAnswer['steps']> = [];
    for (const [i, ref] of refs.entries()) {
      const job = `${ref.group}/${ref.id}`;
      try {
        const key = { account: doc.account, group: ref.group, id: ref.id };
        const step = (await this.repository.get(key)).document;
        steps.push({ step: i + 1, job, ...(await this.dryRunDocument(step, depth + 1)) });
      } catch (err) {
        if (err instanceof ServiceUnavailableError) throw err;
        steps.push({
          step: i + 1,
          job,
          runner: '',
          type: '',
          acts_on: null,
          state: null,
          would: `fail: ${(err as Error).message}`,
          checks: [],
          worst_case_ms: 0,
        });
      }
    }
    return steps;
  }

  /** Every attempt to its action's limit and its wait's, with the pauses between attempts. */
  private worstCase(waitMs: number): number {
    const { attempts, runTimeoutMs, retryDelayMs } = this.settings;
    return attempts * (runTimeoutMs + RUN_ANSWER_GRACE_MS + waitMs) + (attempts - 1) * retryDelayMs;
  }
}

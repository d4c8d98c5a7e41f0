import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors';
import { TimeoutError, withDeadline } from '../common/timeout';
import { DryRunReport } from '../domain/dry-run';
import { JobDocument } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { ResourceAction } from '../domain/resource-action';
import { JobsRepository } from '../repository/jobs.repository';
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

  private async dryRunDocument(doc: JobDocument): Promise<DryRunAnswer> {
    const { runner, details } = this.runners.parse(doc.account, doc.details);
    try {
      const report = await withDeadline(
        (signal) => runner.dryRun({ account: doc.account, job: doc, signal }, details),
        DRY_RUN_TIMEOUT_MS,
        'the dry run',
      );
      return { runner: runner.name, type: runner.type, acts_on: runner.actsOn(details), ...report };
    } catch (err) {
      if (err instanceof TimeoutError) throw new ServiceUnavailableError(err.message);
      throw err;
    }
  }
}

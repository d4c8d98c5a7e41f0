import { Injectable } from '@nestjs/common';
import { ApiKey } from '../auth/api-keys.config';
import { mayRun } from '../auth/scope';
import { InvalidFieldError, JobNotFoundError } from '../common/errors';
import { JobDocument } from '../domain/job-document';
import { JobKey, jobRef } from '../domain/job-key';
import { MAX_SEQUENCE_DEPTH, StepRef } from '../domain/sequence';
import { JobsRepository } from '../repository/jobs.repository';
import { RunnerRegistry } from '../runners/runner-registry';

const FIELD = 'job.details.steps';

/**
 * The checks of a job that names other jobs (a sequence's steps), when it is saved: every step
 * exists in the job's account, its runner is one the account may use, the key saving the job may
 * run it, no sequence reaches itself through its steps, and sequences nest at most
 * `MAX_SEQUENCE_DEPTH` deep. Each refusal is a 400 naming `job.details.steps`.
 */
@Injectable()
export class StepCheck {
  constructor(
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
  ) {}

  async check(doc: JobDocument, steps: StepRef[], key: ApiKey | undefined): Promise<void> {
    const self = jobRef(doc);
    for (const [i, step] of steps.entries()) {
      const ref = `${step.group}/${step.id}`;
      const where = `step ${i + 1} (${ref})`;
      const target = { account: doc.account, group: step.group, id: step.id };
      if (jobRef(target) === self)
        throw new InvalidFieldError(FIELD, `${where} is this sequence itself`);
      const stepDoc = await this.read(target, where, doc.account);
      const problem = this.runners.problem(doc.account, stepDoc.details);
      if (problem) throw new InvalidFieldError(FIELD, `${where} cannot run: ${problem}`);
      if (!mayRun(key, doc.account, step.group)) {
        throw new InvalidFieldError(
          FIELD,
          `${where}: key "${key?.name}" may not run jobs of group ${step.group}`,
        );
      }
      await this.walk(stepDoc, self, where, 2, new Set());
    }
  }

  /** Follows a step's own steps: never back to `self`, never deeper than the limit. */
  private async walk(
    doc: JobDocument,
    self: string,
    where: string,
    depth: number,
    seen: Set<string>,
  ): Promise<void> {
    const steps = this.stepsOf(doc);
    if (steps.length === 0 || seen.has(jobRef(doc))) return;
    seen.add(jobRef(doc));
    if (depth >= MAX_SEQUENCE_DEPTH + 1) {
      throw new InvalidFieldError(
        FIELD,
        `${where} nests sequences deeper than ${MAX_SEQUENCE_DEPTH}`,
      );
    }
    for (const step of steps) {
      const key = { account: doc.account, group: step.group, id: step.id };
      if (jobRef(key) === self) {
        throw new InvalidFieldError(
          FIELD,
          `${where} runs this sequence again (through ${jobRef(doc)})`,
        );
      }
      const next = await this.read(key, `${where} -> ${step.group}/${step.id}`, doc.account).catch(
        () => null,
      );
      if (next) await this.walk(next, self, where, depth + 1, seen);
    }
  }

  private stepsOf(doc: JobDocument): StepRef[] {
    try {
      const { runner, details } = this.runners.parse(doc.account, doc.details);
      return runner.references(details);
    } catch {
      return [];
    }
  }

  private async read(key: JobKey, where: string, account: string): Promise<JobDocument> {
    try {
      return (await this.repository.get(key)).document;
    } catch (err) {
      if (err instanceof JobNotFoundError) {
        throw new InvalidFieldError(FIELD, `${where} is not a job of account ${account}`);
      }
      throw err;
    }
  }
}

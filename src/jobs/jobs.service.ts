import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock, rfc3339 } from '../common/clock';
import { AccountNotFoundError, ServiceUnavailableError } from '../common/errors';
import { MinionConfig } from '../config/minion-config';
import { JobDocument } from '../repository/job-document';
import { DeleteGroupResult, JobKey, JobsRepository } from '../repository/jobs.repository';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobRequestDto } from './dto/job-request.dto';
import { JobView, toJobView } from './job-view';

export interface JobWithLog extends JobView {
  log: Record<string, unknown> | null;
}

/** Job management: validation that needs config (account, runner), storage, response shapes. */
@Injectable()
export class JobsService {
  constructor(
    private readonly config: MinionConfig,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly clock: Clock,
  ) {}

  async listAccount(account: string): Promise<string[]> {
    this.ensureAccount(account);
    return this.repository.listAccount(account);
  }

  async listGroup(account: string, group: string): Promise<string[]> {
    this.ensureAccount(account);
    return this.repository.listGroup(account, group);
  }

  async get(key: JobKey): Promise<JobWithLog> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    return { ...toJobView(document, this.clock.now()), log: null };
  }

  async create(account: string, group: string, request: JobRequestDto): Promise<JobView> {
    this.ensureAccount(account);
    const doc = this.toDocument({ account, group, id: randomUUID() }, request);
    const stored = await this.repository.create(doc);
    return toJobView(stored.document, this.clock.now());
  }

  async update(key: JobKey, request: JobRequestDto): Promise<JobWithLog> {
    this.ensureAccount(key.account);
    const current = await this.repository.get(key);
    const doc = this.toDocument(key, request);
    const stored = await this.repository.update(doc, current.version);
    return { ...toJobView(stored.document, this.clock.now()), log: null };
  }

  async delete(key: JobKey): Promise<void> {
    this.ensureAccount(key.account);
    await this.repository.delete(key);
  }

  async deleteGroup(account: string, group: string): Promise<DeleteGroupResult> {
    this.ensureAccount(account);
    return this.repository.deleteGroup(account, group);
  }

  /** Checks the job, its runner and the account's allow-list; the queue arrives with the scheduler. */
  async run(key: JobKey): Promise<never> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    this.runners.resolve(key.account, document.details);
    throw new ServiceUnavailableError('scheduler not available', 60);
  }

  private ensureAccount(account: string): void {
    if (!Object.prototype.hasOwnProperty.call(this.config.accounts, account)) {
      throw new AccountNotFoundError(account);
    }
  }

  /** Builds the stored document: path wins over body, server sets modified_at, runner validates details. */
  private toDocument(key: JobKey, request: JobRequestDto): JobDocument {
    const job = request.job;
    this.runners.validate(key.account, job.details);
    return {
      account: key.account,
      description: job.description ?? '',
      details: { ...job.details },
      group: key.group,
      id: key.id,
      modified_at: rfc3339(this.clock.now()),
      modified_by: job.modified_by ?? '',
      name: job.name,
      schedule_expression: job.schedule_expression,
      enabled: job.enabled,
      tags: (request.tags ?? []).map(({ key: k, value }) => ({ key: k, value })),
    };
  }
}

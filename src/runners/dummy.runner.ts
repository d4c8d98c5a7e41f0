import { CompiledTemplate, compileTemplate } from './template';
import { DryRunReport } from '../domain/dry-run';
import { RunContext, Runner } from './runner';

export const DUMMY_FIELDS = ['Account', 'Group', 'ID', 'Name'] as const;
export const DEFAULT_DUMMY_TEMPLATE = 'Hello, {{.Account}}!';

/**
 * `type: "dummy"`: renders its configured template (`config.template`) for the job and returns
 * it. Useful to try minion out and to test scheduling without touching any cloud.
 */
export class DummyRunner extends Runner<void> {
  readonly type = 'dummy';
  private readonly template: CompiledTemplate;

  constructor(name: string, config: Record<string, unknown> = {}) {
    super(name);
    const template = config.template ?? DEFAULT_DUMMY_TEMPLATE;
    if (typeof template !== 'string') throw new Error('template must be a string');
    this.template = compileTemplate(template, DUMMY_FIELDS);
  }

  parseDetails(): void {
    // The dummy runner needs nothing beyond `details.runner`.
  }

  override async dryRun(ctx: RunContext): Promise<DryRunReport> {
    return { state: null, would: `output "${await this.run(ctx)}"`, checks: [] };
  }

  async run(ctx: RunContext): Promise<string> {
    return this.template.render({
      Account: ctx.account,
      Group: ctx.job.group,
      ID: ctx.job.id,
      Name: ctx.job.name,
    });
  }
}

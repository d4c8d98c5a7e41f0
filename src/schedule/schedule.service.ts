import { Injectable } from '@nestjs/common';
import { Clock, rfc3339 } from '../common/clock';
import { InvalidFieldError } from '../common/errors';
import { CalendarsService } from '../calendars/calendars.service';
import { groupEntry, JobKey, jobRef } from '../domain/job-key';
import { JobDocument } from '../domain/job-document';
import { MAX_SEQUENCE_DEPTH, StepRef } from '../domain/sequence';
import { JobsRepository } from '../repository/jobs.repository';
import { FleetMatches } from '../job-cache/fleet-matches.service';
import { skipMarks } from '../domain/skip';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from '../job-cache/job-cache.service';
import { Acting, findConflicts, ResourceAction } from '../domain/resource-action';
import { ScheduledOccurrenceDto } from './schedule.dto';

const DAY = 86_400_000;
const MAX_WINDOW_MS = 31 * DAY;
const MAX_OCCURRENCES = 10_000;

export interface ScheduleWindow {
  from?: Date;
  to?: Date;
  withinMs: number;
}

/**
 * What will happen in an account: every fire time of every enabled job in a bounded window, in
 * order, with the pauses and blackouts that will skip some, and the conflicts between jobs that
 * act differently on one resource close together. Read from the scheduler's cache, which holds
 * what the scheduler itself will run.
 */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly cache: JobCache,
    private readonly runners: RunnerRegistry,
    private readonly calendars: CalendarsService,
    private readonly clock: Clock,
    private readonly fleetMatches: FleetMatches,
    private readonly repository: JobsRepository,
  ) {}

  async occurrences(
    account: string,
    window: ScheduleWindow,
    visible: (group: string) => boolean,
  ): Promise<ScheduledOccurrenceDto[]> {
    const from = window.from ?? this.clock.now();
    const to = window.to ?? new Date(from.getTime() + 7 * DAY);
    if (to.getTime() <= from.getTime()) throw new InvalidFieldError('to', 'must be after from');
    if (to.getTime() - from.getTime() > MAX_WINDOW_MS) {
      throw new InvalidFieldError('to', 'the window is at most 31 days');
    }
    this.cache.requireLoaded();
    const entries: ScheduledOccurrenceDto[] = [];
    const acting: Acting[] = [];
    for (const cached of this.cache.all()) {
      const { doc, schedule } = cached;
      if (doc.account !== account || !schedule || !visible(doc.group)) continue;
      const runner = doc.details.runner ?? '';
      const what = this.actsOn(doc.account, doc.details);
      const steps = await this.stepsOf(doc);
      const actions = steps
        ? steps.flatMap((s) => s.actions)
        : what
          ? [await this.withMembers(doc, what)]
          : [];
      // cron fires at whole minutes: start one millisecond before `from` so `from` itself counts.
      for (let t = schedule.nextAfter(from.getTime() - 1); t && t < to; t = schedule.nextAfter(t)) {
        if (entries.length >= MAX_OCCURRENCES) {
          throw new InvalidFieldError(
            'to',
            `more than ${MAX_OCCURRENCES} occurrences: narrow the window`,
          );
        }
        const marks = await skipMarks(doc, t, this.calendars);
        const paused = marks.paused !== undefined;
        const blackout = marks.blackout;
        const entry: ScheduledOccurrenceDto = {
          at: rfc3339(t),
          job: groupEntry(doc),
          name: doc.name,
          runner,
          ...(what ?? {}),
          ...(steps ? { steps: steps.map((s) => s.job) } : {}),
          ...(paused ? { paused } : {}),
          ...(blackout ? { blackout } : {}),
        };
        entries.push(entry);
        // A skipped occurrence acts on nothing, so it conflicts with nothing. A sequence acts on
        // what each of its steps acts on (compared at its start: its steps follow within minutes).
        if (!paused && !blackout) {
          for (const a of actions) {
            acting.push({ index: entries.length - 1, at: t.getTime(), job: entry.job, ...a });
          }
        }
      }
    }
    const order = entries
      .map((_, i) => i)
      .sort((a, b) =>
        entries[a].at === entries[b].at
          ? entries[a].job.localeCompare(entries[b].job)
          : entries[a].at < entries[b].at
            ? -1
            : 1,
      );
    for (const [i, others] of findConflicts(acting, window.withinMs)) {
      entries[i].conflicts = others.map((o) => `${entries[o].job}@${entries[o].at}`);
    }
    return order.map((i) => entries[i]);
  }

  /** For a fleet (`<kind>:tag:<selector>`): with the resources it matched last, as `<kind>:<id>`. */
  private async withMembers(
    job: JobKey,
    what: ResourceAction,
  ): Promise<{ what: ResourceAction; members?: string[] }> {
    const tag = what.resource.indexOf(':tag:');
    if (tag < 0) return { what };
    const members = await this.fleetMatches.of(job, what.resource.slice(0, tag));
    return members ? { what, members } : { what };
  }

  /**
   * For a job naming other jobs (a sequence): each step (`group/id`) with what it acts on, its own
   * steps' too; undefined for any other job. A step that cannot be read acts on nothing here.
   */
  private async stepsOf(
    doc: JobDocument,
    depth = 1,
  ): Promise<
    { job: string; actions: { what: ResourceAction; members?: string[] }[] }[] | undefined
  > {
    let refs: StepRef[];
    try {
      const { runner, details } = this.runners.parse(doc.account, doc.details);
      refs = runner.references(details);
    } catch {
      return undefined;
    }
    if (refs.length === 0) return undefined;
    const steps = [];
    for (const ref of refs) {
      const key = { account: doc.account, group: ref.group, id: ref.id };
      const step = this.cache.get(jobRef(key))?.doc ?? (await this.read(key));
      const actions: { what: ResourceAction; members?: string[] }[] = [];
      if (step) {
        const inner = depth < MAX_SEQUENCE_DEPTH ? await this.stepsOf(step, depth + 1) : undefined;
        const what = this.actsOn(step.account, step.details);
        if (inner) actions.push(...inner.flatMap((s) => s.actions));
        else if (what) actions.push(await this.withMembers(step, what));
      }
      steps.push({ job: `${ref.group}/${ref.id}`, actions });
    }
    return steps;
  }

  private async read(key: JobKey): Promise<JobDocument | null> {
    return (await this.repository.get(key).catch(() => null))?.document ?? null;
  }

  /** What the job's runner says it acts on; null when it acts on nothing shared or cannot run. */
  private actsOn(account: string, details: Record<string, string>): ResourceAction | null {
    try {
      const { runner, details: parsed } = this.runners.parse(account, details);
      return runner.actsOn(parsed);
    } catch {
      return null;
    }
  }
}

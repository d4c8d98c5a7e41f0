import { InvalidFieldError } from '../src/common/errors';
import { ResourceAction } from '../src/domain/resource-action';
import { RunContext, Runner } from '../src/runners/runner';
import { RUNNER_TYPES } from '../src/runners/runner-registry';
import { BASE } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/**
 * A runner type nobody has written before, in one class (this file) and one registry line (the
 * `valve` entry below): the schedule view finds its conflicts and dry runs report what it acts on,
 * with no other file of minion knowing the type. This is the promise of docs/architecture.md
 * ("Adding a runner type") kept by a test.
 */
interface ValveDetails {
  id: string;
  action: 'open' | 'close';
}

class ValveRunner extends Runner<ValveDetails> {
  readonly type = 'valve';

  parseDetails(details: Record<string, string>): ValveDetails {
    const action = details.valve_action;
    if (action !== 'open' && action !== 'close') {
      throw new InvalidFieldError('job.details.valve_action', 'must be open or close');
    }
    if (!details.valve_id) throw new InvalidFieldError('job.details.valve_id', 'is required');
    return { id: details.valve_id, action };
  }

  override actsOn(d: ValveDetails): ResourceAction {
    return { resource: `valve:${d.id}`, action: d.action };
  }

  async run(_ctx: RunContext, d: ValveDetails): Promise<string> {
    return `${d.action}ed ${d.id}`;
  }
}

describe('a new runner type: one class and one registry line', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({
      dataDirPrefix: 'minion-valve-',
      clock: new ManualClock('2026-12-06T12:00:00Z'),
      config: {
        accounts: { acct1: { runners: ['valves'] } },
        jobRunners: { valves: { type: 'valve' } },
      },
      runnerTypes: { ...RUNNER_TYPES, valve: (name) => new ValveRunner(name) },
    });
  });

  afterEach(() => stopTestApp(t));

  const create = async (name: string, schedule: string, action: string, valve = 'v1') =>
    (
      await t.authed
        .post(`${BASE}/acct1/jobs/plant`)
        .send({
          job: {
            name,
            schedule_expression: schedule,
            enabled: true,
            details: { runner: 'valves', valve_action: action, valve_id: valve },
          },
        })
        .expect(200)
    ).body.job.id as string;

  it('its details are validated at create time, naming the detail', async () => {
    const res = await t.authed
      .post(`${BASE}/acct1/jobs/plant`)
      .send({
        job: {
          name: 'bad',
          schedule_expression: '0 6 * * *',
          enabled: true,
          details: { runner: 'valves', valve_action: 'spin', valve_id: 'v1' },
        },
      })
      .expect(400);
    expect(res.body.message).toContain('job.details.valve_action');
  });

  it('the schedule view flags two jobs acting differently on one valve', async () => {
    const open = await create('open-v1', '0 6 * * *', 'open');
    const close = await create('close-v1', '2 6 * * *', 'close');
    await create('close-v2', '1 6 * * *', 'close', 'v2');
    const res = await t.authed
      .get(`${BASE}/acct1/schedule?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z`)
      .expect(200);
    const byJob = new Map(res.body.map((e: { job: string }) => [e.job, e]));
    expect(byJob.get(`plant/${open}`)).toMatchObject({
      resource: 'valve:v1',
      action: 'open',
      conflicts: [`plant/${close}@2026-12-07T06:02:00Z`],
    });
    expect(byJob.get(`plant/${close}`)).toMatchObject({
      resource: 'valve:v1',
      action: 'close',
      conflicts: [`plant/${open}@2026-12-07T06:00:00Z`],
    });
    // Another valve: no conflict with either.
    expect(res.body.filter((e: { conflicts?: string[] }) => e.conflicts)).toHaveLength(2);
  });

  it('a dry run says what the job acts on', async () => {
    const id = await create('open-v1', '0 6 * * *', 'open');
    const res = await t.authed.post(`${BASE}/acct1/jobs/plant/${id}/dry-run`).expect(200);
    expect(res.body).toMatchObject({
      runner: 'valves',
      type: 'valve',
      acts_on: { resource: 'valve:v1', action: 'open' },
    });
  });
});

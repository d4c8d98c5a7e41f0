import { JobCache } from '../src/job-cache/job-cache.service';
import { allRuns, BASE, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { describeWithRedis } from './support/redis';
import { useRedisReplicas } from './support/redis-replicas';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/**
 * Pauses that expire (issue 15), through the API with an injected clock. The job fires at 08:00
 * Berlin time; Europe switches to summer time on Sunday 2026-03-29 (08:00 is 07:00Z on
 * Saturday, 06:00Z from Sunday), so the pause's end is checked across the change.
 */
describe('pauses: skipped while paused, running again at `until`', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({ clock: new ManualClock('2026-03-27T12:00:00Z') });
    await tickAt(t, '2026-03-27T12:01:00Z'); // the scheduler's first minute
  });

  afterEach(() => stopTestApp(t));

  const berlinDaily = () =>
    createJob(t, { name: 'daily', schedule_expression: '0 8 * * *', timezone: 'Europe/Berlin' });
  const url = (id: string, action = '') => `${BASE}/acct1/jobs/g/${id}${action}`;

  async function runsAfterTick(id: string, iso: string) {
    await tickAt(t, iso);
    await drain(t);
    return (await allRuns(t, id)).map((r) => [r.scheduled_for, r.status, r.error ?? r.output]);
  }

  it('skips (recorded, with the reason) until the end it was given, across the DST change', async () => {
    const id = await berlinDaily();
    const paused = await t.authed
      .post(url(id, '/pause'))
      .send({ until: '2026-03-30T08:00:00+02:00', reason: 'database migration' })
      .expect(200);
    expect(paused.body.job).toMatchObject({
      enabled: true,
      pause: {
        until: '2026-03-30T06:00:00Z',
        reason: 'database migration',
        by: 'token',
        at: '2026-03-27T12:01:00Z',
      },
    });
    const skipped = 'paused (database migration) until 2026-03-30T06:00:00Z';
    expect(await runsAfterTick(id, '2026-03-28T07:00:00Z')).toEqual([
      ['2026-03-28T07:00:00Z', 'skipped', skipped],
    ]);
    // Sunday, first day of summer time: 08:00 Berlin is 06:00Z.
    expect((await runsAfterTick(id, '2026-03-29T06:00:00Z')).slice(1)).toEqual([
      ['2026-03-29T06:00:00Z', 'skipped', skipped],
    ]);
    // Monday 08:00 Berlin is exactly `until`: the pause is over, the job runs, by itself.
    expect((await runsAfterTick(id, '2026-03-30T06:00:00Z')).slice(2)).toEqual([
      ['2026-03-30T06:00:00Z', 'succeeded', 'Hello, acct1!'],
    ]);
    // An expired pause no longer shows on the job.
    const after = await t.authed.get(url(id)).expect(200);
    expect(after.body.job.pause).toBeUndefined();
  });

  it('without `until`, until resumed; an update keeps the pause; manual runs still run', async () => {
    const id = await berlinDaily();
    await t.authed.post(url(id, '/pause')).send({ reason: 'holiday', until: null }).expect(200);
    const updated = await t.authed
      .put(url(id))
      .send({
        job: {
          name: 'renamed',
          schedule_expression: '0 8 * * *',
          enabled: true,
          timezone: 'Europe/Berlin',
          details: { runner: 'dummyRunner' },
        },
      })
      .expect(202);
    expect(updated.body.job.pause).toMatchObject({ until: null, reason: 'holiday' });
    expect(await runsAfterTick(id, '2026-03-28T07:00:00Z')).toEqual([
      ['2026-03-28T07:00:00Z', 'skipped', 'paused (holiday)'],
    ]);
    await t.authed.patch(url(id)).expect(202);
    await drain(t);
    expect((await allRuns(t, id)).map((r) => [r.trigger, r.status])).toEqual([
      ['schedule', 'skipped'],
      ['manual', 'succeeded'],
    ]);
    const resumed = await t.authed.post(url(id, '/resume')).expect(200);
    expect(resumed.body.job.pause).toBeUndefined();
    expect((await runsAfterTick(id, '2026-03-29T06:00:00Z')).slice(2)).toEqual([
      ['2026-03-29T06:00:00Z', 'succeeded', 'Hello, acct1!'],
    ]);
  });

  it('a whole group: every job in it is paused and resumed', async () => {
    const a = await berlinDaily();
    const b = await berlinDaily();
    const other = await createJob(
      t,
      { name: 'other', schedule_expression: '0 8 * * *', timezone: 'Europe/Berlin' },
      'acct1',
      'h',
    );
    const res = await t.authed
      .post(`${BASE}/acct1/jobs/g/pause`)
      .send({ reason: 'freeze' })
      .expect(200);
    expect(res.body.changed.sort()).toEqual([a, b].sort());
    await tickAt(t, '2026-03-28T07:00:00Z');
    await drain(t);
    expect((await allRuns(t, a))[0].status).toBe('skipped');
    expect((await allRuns(t, b))[0].status).toBe('skipped');
    expect((await allRuns(t, other, 'acct1', 'h'))[0].status).toBe('succeeded');
    const resumed = await t.authed.post(`${BASE}/acct1/jobs/g/resume`).expect(200);
    expect(resumed.body.changed.sort()).toEqual([a, b].sort());
    // Nothing left to resume.
    expect((await t.authed.post(`${BASE}/acct1/jobs/g/resume`).expect(200)).body.changed).toEqual(
      [],
    );
  });

  it.each([
    [
      { reason: 'x', until: '2026-03-27T11:00:00Z' },
      'until: 2026-03-27T11:00:00Z is not in the future',
    ],
    [{ reason: 'x', until: 'next monday' }, 'until must be an RFC 3339 date-time'],
    [{ until: null }, 'reason'],
    [{ reason: '' }, 'reason should not be empty'],
  ])('refuses %j with a 400 naming the field, changing nothing', async (body, message) => {
    const id = await berlinDaily();
    const res = await t.authed.post(url(id, '/pause')).send(body).expect(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
    expect((await t.authed.get(url(id)).expect(200)).body.job.pause).toBeUndefined();
  });

  it('pausing a job that does not exist is a 404', async () => {
    await t.authed
      .post(url('6bcfa79f-615e-470d-97c1-687f3357497d', '/pause'))
      .send({ reason: 'x' })
      .expect(404);
  });
});

describeWithRedis('pauses and blackouts across two replicas (Redis)', () => {
  const cluster = useRedisReplicas('minion-pause-');

  /** Two replicas on one Redis and one data dir, each with its own clock. */
  async function twoReplicas(): Promise<TestApp[]> {
    for (let i = 0; i < 2; i++) {
      await cluster.start({ clock: new ManualClock('2026-03-27T12:00:00Z') });
    }
    return cluster.replicas;
  }

  it('paused on one replica, skipped once while paused and run once after `until`, whichever replica ticks', async () => {
    const [a, b] = await twoReplicas();
    const id = await createJob(a, {
      name: 'daily',
      schedule_expression: '0 8 * * *',
      timezone: 'Europe/Berlin',
    });
    await a.authed
      .post(`${BASE}/acct1/jobs/g/${id}/pause`)
      .send({ until: '2026-03-29T08:00:00+02:00', reason: 'migration' })
      .expect(200);
    // The other replica's cache has the pause (the change relay), not only the one written to.
    await waitFor(() => b.app.get(JobCache).get(`acct1/g/${id}`)?.doc.pause !== undefined);
    for (const minute of ['2026-03-28T07:00:00Z', '2026-03-29T06:00:00Z']) {
      await Promise.all(cluster.replicas.map((r) => tickAt(r, minute)));
      await Promise.all(cluster.replicas.map((r) => drain(r)));
    }
    const runs = await allRuns(a, id);
    expect(runs.map((r) => [r.scheduled_for, r.status])).toEqual([
      ['2026-03-28T07:00:00Z', 'skipped'],
      ['2026-03-29T06:00:00Z', 'succeeded'],
    ]);
  });

  it('a calendar set on one replica blacks out the occurrence on whichever replica ticks, once', async () => {
    const [a, b] = await twoReplicas();
    await a.authed
      .put(`${BASE}/acct1/calendars/holidays`)
      .send({ timezone: 'Europe/Berlin', dates: ['2026-03-29'] })
      .expect(200);
    const created = await b.authed
      .post(`${BASE}/acct1/jobs/g`)
      .send({
        job: {
          name: 'daily',
          schedule_expression: '0 8 * * *',
          timezone: 'Europe/Berlin',
          enabled: true,
          details: { runner: 'dummyRunner' },
          blackout_calendars: ['holidays'],
        },
      })
      .expect(200);
    const id = created.body.job.id;
    await waitFor(() => a.app.get(JobCache).get(`acct1/g/${id}`) !== undefined);
    for (const minute of ['2026-03-28T07:00:00Z', '2026-03-29T06:00:00Z', '2026-03-30T06:00:00Z']) {
      await Promise.all(cluster.replicas.map((r) => tickAt(r, minute)));
      await Promise.all(cluster.replicas.map((r) => drain(r)));
    }
    expect((await allRuns(a, id)).map((r) => [r.scheduled_for, r.status, r.error ?? null])).toEqual(
      [
        ['2026-03-28T07:00:00Z', 'succeeded', null],
        ['2026-03-29T06:00:00Z', 'skipped', 'blackout holidays'],
        ['2026-03-30T06:00:00Z', 'succeeded', null],
      ],
    );
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILT_MAIN } from './support/built-app';
import { ACCOUNT, createJob, jobPath, READ_KEY, RUN_KEY } from './support/console-app';
import {
  PHONE,
  screenshot,
  seriousA11yViolations,
  signIn,
  visit,
  waitForText,
} from './support/console-browser';
import { consoleFixture } from './support/console-fixture';
import { waitFor } from './support/manual-clock';

/**
 * The operator console in Debian's Chromium against the built app (`npm run build:test`, which
 * `npm test` runs first): what a read-only key sees, the views at desktop and phone widths with
 * axe-core's serious and critical findings, the countdown under Playwright's clock, the jobs
 * list's one request per page, and what the server sends with the page.
 */
describe('console: reading (browser e2e)', () => {
  const f = consoleFixture();
  const open = (viewport?: { width: number; height: number }) => f.open(viewport);

  it('serves the built console with a CSP without inline scripts, not framable, within its JavaScript budget', async () => {
    const res = await fetch(`${f.app.url}/ui/`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/https?:\/\//);
    const redirect = await fetch(`${f.app.url}/ui`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/v1/minion/ui/');
    const assets = resolve(BUILT_MAIN, '..', 'ui', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const gzipped = js.reduce(
      (n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThan(200 * 1024);
  });

  it('a read key signs in and sees next week with the conflict highlighted, and no write control anywhere', async () => {
    const { page, requests } = await open();
    await signIn(page, READ_KEY);
    expect(await page.getByTestId('who').textContent()).toContain('reader · read');
    await waitForText(page.locator('.upcoming'), 'report-a');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'overview-desktop');

    await visit(page, `/a/${ACCOUNT}/week`, /^Week of/);
    await waitForText(page.getByTestId('week-summary'), /in conflict/);
    const conflicts = page.locator('li.occ.conflict');
    expect(await conflicts.count()).toBeGreaterThanOrEqual(2);
    expect(await conflicts.first().textContent()).toMatch(
      /(start|stop)-web.*conflict with (stop|start)-web at 08:0[02]/,
    );
    const holiday = new Date(`${f.seeded.holiday}T00:00:00Z`).toDateString();
    expect(await page.getByRole('region', { name: holiday }).getAttribute('class')).toContain(
      'blackout',
    );
    expect(await page.locator('li.occ', { hasText: 'report-b' }).first().textContent()).toContain(
      'paused',
    );
    expect(await page.getByRole('button', { name: /Pause the group/ }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'week-desktop');

    await visit(page, jobPath(f.seeded.startWeb).slice(1), 'start-web enabled');
    await waitForText(page.getByTestId('schedule-words'), 'At 08:00');
    for (const name of ['Run now', 'Dry run', 'Pause…', 'Disable', 'Edit', 'Delete…']) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }
    expect(await seriousA11yViolations(page)).toEqual([]);

    await visit(page, `/a/${ACCOUNT}/calendars`, /^Blackout calendars/);
    await page.getByRole('heading', { name: 'holidays' }).waitFor();
    expect(await page.getByRole('button', { name: /New calendar|Edit/ }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await visit(page, `/a/${ACCOUNT}/audit`, /^Audit trail/);
    await waitForText(
      page.getByRole('list', { name: `Audit trail of ${ACCOUNT}` }),
      'put-calendar',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The key: in this tab's sessionStorage only; never in a URL, never in the server's log.
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(READ_KEY);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(requests.some((u) => u.includes(READ_KEY))).toBe(false);
    expect(f.app.log()).not.toContain(READ_KEY);
  });

  it('a run key sees run now, dry run and pause, and nothing that changes a job', async () => {
    const { page } = await open();
    await signIn(page, RUN_KEY);
    await visit(page, jobPath(f.seeded.report).slice(1), /^report-a/);
    for (const name of ['Run now', 'Dry run', 'Pause…']) {
      expect(await page.getByRole('button', { name }).count()).toBe(1);
    }
    for (const name of ['Disable', 'Edit', 'Delete…']) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }
    await visit(page, `/a/${ACCOUNT}/week`, /^Week of/);
    await page.getByRole('button', { name: 'Pause the group…' }).waitFor();
    await visit(page, `/a/${ACCOUNT}/calendars`, /^Blackout calendars/);
    await page.getByRole('heading', { name: 'holidays' }).waitFor();
    expect(await page.getByRole('button', { name: /New calendar|Edit/ }).count()).toBe(0);
  });

  it('marks a next fire time in a daylight-saving gap or overlap, as the API flags it', async () => {
    const { page } = await open();
    // The seeded jobs fire in UTC: the API's answer for one is given a gap and an overlap, as
    // it answers for a job in America/New_York around a change of clocks.
    await page.route('**/next?count=8', async (route) => {
      const answer = await route.fetch();
      const body = await answer.json();
      body.next[0] = {
        ...body.next[0],
        dst: 'gap',
        note: 'clocks skip 02:00-03:00: runs at 03:30',
      };
      body.next[1] = { ...body.next[1], dst: 'overlap', note: '01:30 happens twice: runs once' };
      await route.fulfill({ response: answer, json: body });
    });
    await signIn(page, READ_KEY);
    await visit(page, jobPath(f.seeded.backup).slice(1), /^backup/);
    const times = page.locator('.next-times li');
    await waitForText(times.nth(0), 'DST gap');
    expect(await times.nth(0).textContent()).toContain('clocks skip 02:00-03:00');
    expect(await times.nth(1).textContent()).toContain('DST overlap');
    expect(await page.locator('.next-times').textContent()).toContain(`blackout holidays`);
  });

  it('the jobs list: search, filters and paging, one request per page and none per row', async () => {
    const api = f.api;
    for (let i = 0; i < 30; i++) {
      await createJob(
        api,
        'bulk',
        {
          name: `bulk-${String(i).padStart(2, '0')}`,
          schedule_expression: `${i} 3 * * *`,
          details: { runner: 'dummyRunner' },
        },
        [{ key: 'kind', value: 'bulk' }],
      );
    }
    const { page, requests } = await open();
    await signIn(page, READ_KEY);
    await visit(page, `/a/${ACCOUNT}/jobs`, `Jobs of ${ACCOUNT}`);
    await page.getByRole('searchbox').fill('BULK-');
    const before = requests.length;
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.locator('table.jobs tbody tr');
    const names = () => page.locator('table.jobs tbody tr td:first-child a').allTextContents();
    await waitForText(page.getByText('Page 1'), 'Page 1');
    await waitForText(rows.first(), 'bulk-');
    const first = await names();
    expect(first).toHaveLength(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForText(page.locator('.pager'), 'Page 2');
    // The pager may say "Page 2" before its rows replace page 1's: wait for a row not on page 1.
    await waitFor(async () =>
      (await names()).some((n) => n.startsWith('bulk-') && !first.includes(n)),
    );
    const second = await names();
    expect(second).toHaveLength(5);
    expect([...first, ...second].sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`),
    );
    const calls = requests.slice(before).map((u) => new URL(u).pathname);
    expect(calls.filter((p) => p.endsWith('/job-summaries'))).toHaveLength(2);
    expect(calls.filter((p) => p.includes('/jobs/'))).toEqual([]);
    expect(await rows.first().textContent()).toMatch(
      /bulk-\d\d.*kind:bulk.*At 03:\d\d.*never ran.*enabled/,
    );

    await visit(page, `/a/${ACCOUNT}/jobs?paused=true`, `Jobs of ${ACCOUNT}`);
    await waitForText(rows.first(), 'report-b');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('paused');
    await visit(
      page,
      `/a/${ACCOUNT}/jobs?runner=instanceRunner&tag=team:web`,
      `Jobs of ${ACCOUNT}`,
    );
    await waitForText(rows.first(), 'start-web');
    expect(await rows.count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'jobs-desktop');
  });

  it('at phone width every view fits the screen and passes axe', async () => {
    const { page } = await open(PHONE);
    await signIn(page, READ_KEY);
    const views: [string, string | RegExp, string][] = [
      ['/', 'Overview', 'overview-phone'],
      [`/a/${ACCOUNT}/jobs`, `Jobs of ${ACCOUNT}`, 'jobs-phone'],
      [jobPath(f.seeded.report).slice(1), /^report-a/, 'job-phone'],
      [`/a/${ACCOUNT}/week`, /^Week of/, 'week-phone'],
      [`/a/${ACCOUNT}/calendars`, /^Blackout calendars/, 'calendars-phone'],
      [`/a/${ACCOUNT}/audit`, /^Audit trail/, 'audit-phone'],
    ];
    for (const [fragment, heading, shot] of views) {
      await visit(page, fragment, heading);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect({ view: fragment, overflow }).toEqual({ view: fragment, overflow: 0 });
      expect(await seriousA11yViolations(page)).toEqual([]);
      if (['overview-phone', 'job-phone', 'week-phone', 'jobs-phone'].includes(shot))
        await screenshot(page, shot);
    }
  });

  it('a key the API refuses is not kept; signing out forgets the key', async () => {
    const { page } = await open();
    await page.getByLabel('Token or API key').fill('not-a-key-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByRole('alert'), 'This key was not accepted.');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await signIn(page, READ_KEY);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('the accessibility check finds a violation when the page has one', async () => {
    const { page } = await open();
    await page.getByRole('heading', { name: 'minion console' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.evaluate(`document.querySelector('label').remove()`);
    expect((await seriousA11yViolations(page)).join(' ')).toMatch(/^label: /);
  });

  it("counts down to the next action with Playwright's clock", async () => {
    const { page } = await open();
    await page.clock.install({ time: Date.now() });
    await signIn(page, READ_KEY);
    const countdowns = page.locator('.upcoming time.countdown');
    await countdowns.first().waitFor();
    // The first upcoming action at least two minutes ahead of the page's clock.
    const now = Number(await page.evaluate('Date.now()'));
    const times = await Promise.all(
      (await countdowns.all()).map(async (c) => (await c.getAttribute('datetime')) ?? ''),
    );
    const index = times.findIndex((t) => Date.parse(t) > now + 120_000);
    expect(index).toBeGreaterThanOrEqual(0);
    const at = Date.parse(times[index]);
    const countdown = countdowns.nth(index);
    await page.clock.pauseAt(at - 90_000);
    await page.clock.runFor(1000);
    await waitForText(countdown, 'in 1m 29s');
    await page.clock.runFor(59_000);
    await waitForText(countdown, 'in 30s');
    await page.clock.runFor(30_000);
    await waitForText(countdown, 'now');
    await page.clock.runFor(5_000);
    await waitForText(countdown, '5s ago');
  });
});

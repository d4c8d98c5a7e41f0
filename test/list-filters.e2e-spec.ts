import { BASE } from './support/jobs-helpers';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** The list routes' filters (issue 15): each alone, combined, with paging, and refused when bad. */
describe('list filters: enabled, runner, tag, name prefix', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  const jobs = [
    {
      key: 'start-web',
      enabled: true,
      runner: 'dummyRunner',
      tags: [{ key: 'team', value: 'web' }],
    },
    {
      key: 'start-db',
      enabled: false,
      runner: 'dummyRunner',
      tags: [{ key: 'team', value: 'data' }],
    },
    {
      key: 'stop-web',
      enabled: true,
      runner: 'scriptedRunner',
      tags: [{ key: 'team', value: 'web' }],
    },
    { key: 'start-batch', enabled: true, runner: 'scriptedRunner', tags: [] },
    {
      key: 'start-api',
      enabled: true,
      runner: 'dummyRunner',
      tags: [{ key: 'team', value: 'web' }],
    },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    for (const j of jobs) {
      const res = await t.authed
        .post(`${BASE}/acct1/jobs/${j.key.includes('db') ? 'data' : 'g'}`)
        .send({
          job: {
            name: j.key,
            schedule_expression: '0 8 * * *',
            enabled: j.enabled,
            details: { runner: j.runner },
          },
          tags: j.tags,
        })
        .expect(200);
      ids[j.key] = res.body.job.id;
    }
  });

  afterAll(() => stopTestApp(t));

  /** The job names a group listing answers, for readable expectations. */
  const names = (group: string, entries: string[]) =>
    entries.map((id) => Object.keys(ids).find((k) => ids[k] === id) ?? `${group}?${id}`).sort();

  it.each([
    ['enabled=true', ['start-api', 'start-batch', 'start-web', 'stop-web']],
    ['enabled=false', []],
    ['runner=scriptedRunner', ['start-batch', 'stop-web']],
    ['tag=team:web', ['start-api', 'start-web', 'stop-web']],
    ['name=start-', ['start-api', 'start-batch', 'start-web']],
    ['name=start-&runner=dummyRunner&tag=team:web', ['start-api', 'start-web']],
  ])('group listing ?%s', async (query, expected) => {
    const res = await t.authed.get(`${BASE}/acct1/jobs/g?${query}`).expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(names('g', res.body)).toEqual(expected);
  });

  it('account listing: filters across groups, entries stay "group/id"', async () => {
    const res = await t.authed.get(`${BASE}/acct1/jobs?enabled=false`).expect(200);
    expect(res.body).toEqual([`data/${ids['start-db']}`]);
    const team = await t.authed.get(`${BASE}/acct1/jobs?tag=team:data`).expect(200);
    expect(team.body).toEqual([`data/${ids['start-db']}`]);
  });

  it('paging walks the filtered listing, and the next link keeps the filters', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${BASE}/acct1/jobs/g?limit=2&tag=team:web`;
    let pages = 0;
    while (url) {
      const res = await t.authed.get(url).expect(200);
      seen.push(...res.body);
      pages++;
      const link = res.headers.link as string | undefined;
      if (link) expect(link).toContain('&tag=team%3Aweb');
      url = link ? /<([^>]+)>/.exec(link)?.[1] : undefined;
    }
    expect(pages).toBe(2);
    expect(names('g', seen)).toEqual(['start-api', 'start-web', 'stop-web']);
  });

  it.each([
    ['enabled=yes', 'enabled must be true or false'],
    ['tag=nocolon', 'tag must be key:value'],
    [`name=${'x'.repeat(300)}`, 'name must be shorter than or equal to 256 characters'],
  ])('?%s is a 400 naming the parameter', async (query, message) => {
    const res = await t.authed.get(`${BASE}/acct1/jobs/g?${query}`).expect(400);
    expect(JSON.stringify(res.body.message)).toContain(message);
  });
});

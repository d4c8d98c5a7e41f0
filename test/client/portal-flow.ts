import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './minion-api';

export type MinionClient = ReturnType<typeof createClient<paths>>;
type Job = components['schemas']['Job'];
type RunRecord = components['schemas']['RunRecord'];

/** A client generated from the committed openapi.json (openapi-typescript + openapi-fetch). */
export function minionClient(
  baseUrl: string,
  token: string,
  ...middleware: Middleware[]
): MinionClient {
  const client = createClient<paths>({ baseUrl, headers: { 'X-Auth-Token': token } });
  for (const m of middleware) client.use(m);
  return client;
}

export interface FlowResult {
  created: Job;
  listed: string[];
  groupListed: string[];
  fetched: Job;
  updated: Job;
  runId: string;
  runs: RunRecord[];
  next: string[];
  dryRun: components['schemas']['DryRun'];
  paused: Job;
  resumed: Job;
  deleted: string;
  missingStatus: number;
}

function must<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/**
 * What a self-service portal does, typed end to end with no cast: create, list, get, update, run,
 * read the runs and the next fire times, dry run, pause and resume, delete. `waitForRun` lets the caller drive the run.
 */
export async function portalFlow(
  client: MinionClient,
  account: string,
  waitForRun: () => Promise<void>,
): Promise<FlowResult> {
  const group = 'space-xy';
  const created = must(
    await client.POST('/v1/minion/{account}/jobs/{group}', {
      params: { path: { account, group } },
      body: {
        job: {
          name: 'portal-job',
          description: 'made by the typed client',
          schedule_expression: '0 18 * * MON-FRI',
          timezone: 'Europe/Berlin',
          enabled: true,
          details: { runner: 'dummyRunner' },
        },
        tags: [{ key: 'team', value: 'portal' }],
      },
    }),
    'create',
  );
  const id = created.job.id;
  const listed = must(
    await client.GET('/v1/minion/{account}/jobs', {
      params: { path: { account }, query: { limit: 10 } },
    }),
    'list account',
  );
  const groupListed = must(
    await client.GET('/v1/minion/{account}/jobs/{group}', { params: { path: { account, group } } }),
    'list group',
  );
  const fetched = must(
    await client.GET('/v1/minion/{account}/jobs/{group}/{id}', {
      params: { path: { account, group, id } },
    }),
    'get',
  );
  const updated = must(
    await client.PUT('/v1/minion/{account}/jobs/{group}/{id}', {
      params: { path: { account, group, id } },
      body: { job: { ...fetched.job, enabled: false }, tags: fetched.tags },
    }),
    'update',
  );
  const run = must(
    await client.PATCH('/v1/minion/{account}/jobs/{group}/{id}', {
      params: { path: { account, group, id } },
    }),
    'run',
  );
  await waitForRun();
  const runs = must(
    await client.GET('/v1/minion/{account}/jobs/{group}/{id}/runs', {
      params: { path: { account, group, id }, query: { limit: 5 } },
    }),
    'runs',
  );
  const next = must(
    await client.GET('/v1/minion/{account}/jobs/{group}/{id}/next', {
      params: { path: { account, group, id }, query: { count: 3 } },
    }),
    'next',
  );
  const dryRun = must(
    await client.POST('/v1/minion/{account}/jobs/{group}/{id}/dry-run', {
      params: { path: { account, group, id } },
    }),
    'dry run',
  );
  const paused = must(
    await client.POST('/v1/minion/{account}/jobs/{group}/{id}/pause', {
      params: { path: { account, group, id } },
      body: { until: '2099-01-04T08:00:00+01:00', reason: 'holidays' },
    }),
    'pause',
  );
  const resumed = must(
    await client.POST('/v1/minion/{account}/jobs/{group}/{id}/resume', {
      params: { path: { account, group, id } },
    }),
    'resume',
  );
  const deleted = must(
    await client.DELETE('/v1/minion/{account}/jobs/{group}/{id}', {
      params: { path: { account, group, id } },
      parseAs: 'text',
    }),
    'delete',
  );
  const missing = await client.GET('/v1/minion/{account}/jobs/{group}/{id}', {
    params: { path: { account, group, id } },
  });
  return {
    created: created.job,
    listed,
    groupListed,
    fetched: fetched.job,
    updated: updated.job,
    runId: run.run_id,
    runs,
    next: next.next.map((t) => t.utc),
    dryRun,
    paused: paused.job,
    resumed: resumed.job,
    deleted,
    missingStatus: missing.error ? missing.error.statusCode : missing.response.status,
  };
}

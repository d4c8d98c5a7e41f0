import { useState } from 'react';
import { must } from '../api/client';
import { href } from '../router';
import type { Session } from '../session';
import { useLoad } from '../components/load';
import { localTime, scheduleInWords } from '../components/time';
import { Badge, ErrorNote, Loading } from '../components/ui';
import { AuditEntries } from './job/AuditEntries';
import { JobActions } from './job/JobActions';
import { RunHistory } from './job/RunHistory';

export interface JobProps {
  session: Session;
  account: string;
  group: string;
  id: string;
}

/** One job: what it is, when it fires, how it ran, who changed it; and what may be done to it. */
export function JobView(props: JobProps) {
  const { session, account, group, id } = props;
  const path = { account, group, id };
  const [changed, setChanged] = useState(0);
  const job = useLoad(
    async () =>
      must(await session.api.GET('/v1/minion/{account}/jobs/{group}/{id}', { params: { path } })),
    [account, group, id, changed],
  );
  const next = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/jobs/{group}/{id}/next', {
          params: { path, query: { count: 8 } },
        }),
      ),
    [account, group, id, changed],
  );
  const refresh = () => setChanged((c) => c + 1);
  if (job.error) {
    return (
      <>
        <h1>
          Job {group}/{id}
        </h1>
        <ErrorNote error={job.error} />
        <a href={href(['a', account, 'jobs'])}>Back to the jobs</a>
      </>
    );
  }
  if (!job.data) return <Loading what="the job" />;
  const { job: j, tags } = job.data;
  return (
    <>
      <p className="crumbs">
        <a href={href(['a', account, 'jobs'])}>Jobs of {account}</a> › {group}
      </p>
      <h1>
        {j.name}{' '}
        {j.enabled ? (
          <Badge value="enabled" kind="ok" />
        ) : (
          <Badge value="disabled" kind="neutral" />
        )}
        {j.pause ? <Badge value="paused" kind="warn" /> : null}
      </h1>
      {j.pause ? (
        <p className="notice" data-testid="pause-notice">
          Paused {j.pause.until ? `until ${localTime(j.pause.until)}` : 'until resumed'} by{' '}
          {j.pause.by}: {j.pause.reason}
        </p>
      ) : null}
      <JobActions {...props} job={job.data} onChanged={refresh} />
      <div className="columns">
        <section aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          <dl className="details">
            <dt>Description</dt>
            <dd>{j.description || '—'}</dd>
            <dt>Group / id</dt>
            <dd>
              <code>
                {j.group}/{j.id}
              </code>
            </dd>
            {Object.entries(j.details).map(([k, v]) => (
              <div key={k} className="pair">
                <dt>{k === 'runner' ? 'Runner' : k}</dt>
                <dd>
                  <code>{v}</code>
                </dd>
              </div>
            ))}
            <dt>Tags</dt>
            <dd>{tags.length ? tags.map((t) => `${t.key}:${t.value}`).join(', ') : '—'}</dd>
            <dt>Blackout calendars</dt>
            <dd>{j.blackout_calendars?.join(', ') || '—'}</dd>
            <dt>Last change</dt>
            <dd>
              {j.modified_at ? localTime(j.modified_at) : '—'}{' '}
              {j.modified_by ? `by ${j.modified_by}` : ''}
            </dd>
          </dl>
        </section>
        <section aria-labelledby="schedule-h">
          <h2 id="schedule-h">Schedule</h2>
          <p data-testid="schedule-words">{scheduleInWords(j.schedule_expression)}</p>
          <p className="muted">
            <code>{j.schedule_expression}</code> in {j.timezone ?? 'UTC'}
          </p>
          <h3>Next fire times</h3>
          <ErrorNote error={next.error} />
          <ol className="next-times">
            {next.data?.next.map((n) => (
              <li key={n.utc}>
                <time dateTime={n.utc}>{localTime(n.utc)}</time>{' '}
                <span className="muted small">({n.local})</span>
                {n.dst ? <Badge value={`DST ${n.dst}`} kind="warn" /> : null}
                {n.paused ? <Badge value="paused" kind="warn" /> : null}
                {n.blackout ? <Badge value={`blackout ${n.blackout}`} kind="warn" /> : null}
                {n.note ? <div className="muted small">{n.note}</div> : null}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <RunHistory session={session} account={account} group={group} id={id} changed={changed} />
      <section aria-labelledby="audit-h">
        <h2 id="audit-h">Audit history</h2>
        <JobAudit {...props} changed={changed} />
      </section>
    </>
  );
}

function JobAudit({ session, account, group, id, changed }: JobProps & { changed: number }) {
  const history = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/jobs/{group}/{id}/history', {
          params: { path: { account, group, id }, query: { limit: 20 } },
        }),
      ),
    [account, group, id, changed],
  );
  if (history.error) return <ErrorNote error={history.error} />;
  if (!history.data) return <Loading what="the audit history" />;
  return <AuditEntries entries={history.data} label="Audit history of the job" />;
}

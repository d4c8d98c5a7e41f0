import { must, type Schemas } from '../api/client';
import { href } from '../router';
import type { Session } from '../session';
import { Countdown } from '../components/Countdown';
import { useLoad } from '../components/load';
import { localTime, shortTime } from '../components/time';
import { Badge, ErrorNote, Loading } from '../components/ui';

/** Every account the key reaches, at a glance. */
export function Overview({ session }: { session: Session }) {
  return (
    <>
      <h1>Overview</h1>
      {session.who.accounts.length === 0 ? <p>This key reaches no account.</p> : null}
      <div className="cards">
        {session.who.accounts.map((a) => (
          <AccountCard key={a.name} session={session} account={a.name} />
        ))}
      </div>
    </>
  );
}

function AccountCard({ session, account }: { session: Session; account: string }) {
  const { data, error } = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/overview', {
          params: { path: { account }, query: { hours: 6 } },
        }),
      ),
    [account],
  );
  return (
    <section className="card" aria-labelledby={`acct-${account}`}>
      <h2 id={`acct-${account}`}>
        <a href={href(['a', account, 'jobs'])}>{account}</a>
      </h2>
      <ErrorNote error={error} />
      {!data && !error ? <Loading what={`account ${account}`} /> : null}
      {data ? <OverviewBody account={account} o={data} /> : null}
    </section>
  );
}

function OverviewBody({ account, o }: { account: string; o: Schemas['AccountOverview'] }) {
  return (
    <>
      <dl className="counts">
        {(
          [
            ['Jobs', o.jobs],
            ['Enabled', o.enabled],
            ['Paused', o.paused],
            ['Failing', o.failing_total],
          ] as const
        ).map(([name, n]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      <div className="columns">
        <div>
          <h3>Next {o.hours} hours</h3>
          {o.upcoming.length === 0 ? <p className="muted">Nothing scheduled.</p> : null}
          <ul className="upcoming">
            {o.upcoming.map((u) => (
              <li key={`${u.job}@${u.at}`}>
                <Countdown at={u.at} />
                <time dateTime={u.at} className="muted" title={localTime(u.at)}>
                  {shortTime(u.at)}
                </time>
                <span>
                  <a href={href(['a', account, 'jobs', ...u.job.split('/')])}>{u.name}</a>
                  {u.paused ? <Badge value="paused" kind="warn" /> : null}
                  {u.blackout ? <Badge value={`blackout ${u.blackout}`} kind="warn" /> : null}
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Recent failures</h3>
          {o.failing.length === 0 ? (
            <p className="muted">No enabled job's last run failed.</p>
          ) : null}
          <ul className="failing">
            {o.failing.map((f) => (
              <li key={f.job}>
                <Badge value="failed" />{' '}
                <a href={href(['a', account, 'jobs', ...f.job.split('/')])}>{f.name}</a>{' '}
                <span className="muted">{localTime(f.last_run.finished_at)}</span>
                {f.last_run.error ? <div className="error-text">{f.last_run.error}</div> : null}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </>
  );
}

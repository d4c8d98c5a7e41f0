import { useState } from 'react';
import { must, nextStartAfter, type AuditEntry } from '../api/client';
import type { Session } from '../session';
import { useLoad } from '../components/load';
import { ErrorNote, Loading } from '../components/ui';
import { AuditEntries } from './job/AuditEntries';

const DAY_MS = 86_400_000;
const PAGE = 100;

/** Who did what in the account, oldest first from a chosen day, a page at a time. */
export function AuditTrail({ session, account }: { session: Session; account: string }) {
  const [days, setDays] = useState(7);
  const [more, setMore] = useState<{ entries: AuditEntry[]; next?: string }>({ entries: [] });
  const since = new Date(Date.now() - days * DAY_MS);
  since.setSeconds(0, 0);
  const first = useLoad(async () => {
    const res = await session.api.GET('/v1/minion/{account}/audit', {
      params: { path: { account }, query: { since: since.toISOString(), limit: PAGE } },
    });
    const entries = must(res);
    setMore({ entries: [], next: nextStartAfter(res.response) });
    return entries;
  }, [account, days]);
  const loadMore = async () => {
    const res = await session.api.GET('/v1/minion/{account}/audit', {
      params: {
        path: { account },
        query: { since: since.toISOString(), limit: PAGE, start_after: more.next },
      },
    });
    setMore({ entries: [...more.entries, ...must(res)], next: nextStartAfter(res.response) });
  };
  return (
    <>
      <h1>Audit trail of {account}</h1>
      <label>
        Since{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={1}>1 day ago</option>
          <option value={7}>7 days ago</option>
          <option value={30}>30 days ago</option>
          <option value={365}>a year ago</option>
        </select>
      </label>
      <ErrorNote error={first.error} />
      {first.loading && !first.data ? <Loading what="the audit trail" /> : null}
      {first.data ? (
        <AuditEntries
          entries={[...first.data, ...more.entries]}
          label={`Audit trail of ${account}`}
          withJob
        />
      ) : null}
      {more.next ? (
        <button type="button" onClick={loadMore}>
          Load more
        </button>
      ) : null}
    </>
  );
}

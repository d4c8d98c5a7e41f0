import { type FormEvent, useState } from 'react';
import { must } from '../api/client';
import { href, navigate } from '../router';
import type { Session } from '../session';
import { useLoad } from '../components/load';
import { countdown, localTime, scheduleInWords } from '../components/time';
import { Badge, ErrorNote, Loading, Table } from '../components/ui';

const PAGE = 25;
const FILTERS = ['search', 'enabled', 'runner', 'tag', 'paused'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The jobs of an account, searched and filtered, a page at a time: one request per page. */
export function JobsList({
  session,
  account,
  query,
}: {
  session: Session;
  account: string;
  query: URLSearchParams;
}) {
  const filters: Filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]));
  const key = JSON.stringify(filters);
  const [pages, setPages] = useState<{ key: string; after: (string | undefined)[] }>({
    key,
    after: [undefined],
  });
  const after = pages.key === key ? pages.after : [undefined];
  const startAfter = after[after.length - 1];
  const { data, error, loading } = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/job-summaries', {
          params: {
            path: { account },
            query: {
              limit: PAGE,
              start_after: startAfter,
              search: filters.search,
              enabled: filters.enabled as 'true' | 'false' | undefined,
              runner: filters.runner,
              tag: filters.tag,
              paused: filters.paused as 'true' | 'false' | undefined,
            },
          },
        }),
      ),
    [account, key, startAfter],
  );
  const runners = session.who.accounts.find((a) => a.name === account)?.runners ?? [];
  const now = Date.now();
  return (
    <>
      <h1>Jobs of {account}</h1>
      <FilterForm account={account} filters={filters} runners={runners} />
      <ErrorNote error={error} />
      {loading && !data ? <Loading what="jobs" /> : null}
      {data ? (
        <>
          <Table
            className="jobs"
            label={`Jobs of ${account}`}
            head={['Job', 'Schedule', 'Next', 'Last outcome', 'State']}
          >
            {data.jobs.map((j) => (
              <tr key={`${j.group}/${j.id}`}>
                <td data-label="Job">
                  <a href={href(['a', account, 'jobs', j.group, j.id])}>{j.name}</a>
                  <div className="muted small">
                    {j.group} · {j.runner}
                    {j.tags.map((t) => ` · ${t.key}:${t.value}`).join('')}
                  </div>
                </td>
                <td data-label="Schedule">
                  {scheduleInWords(j.schedule_expression)}
                  <div className="muted small">
                    <code>{j.schedule_expression}</code> {j.timezone}
                  </div>
                </td>
                <td data-label="Next">
                  {j.next ? (
                    <>
                      <time dateTime={j.next}>{localTime(j.next)}</time>
                      <div className="muted small">{countdown(Date.parse(j.next), now)}</div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td data-label="Last outcome">
                  {j.last_run ? (
                    <>
                      <Badge value={j.last_run.status} />
                      {j.last_run.result ? (
                        <span className="muted small"> {j.last_run.result}</span>
                      ) : null}
                      <div className="muted small">{localTime(j.last_run.finished_at)}</div>
                    </>
                  ) : (
                    <span className="muted">never ran</span>
                  )}
                </td>
                <td data-label="State">
                  {j.enabled ? (
                    <Badge value="enabled" kind="ok" />
                  ) : (
                    <Badge value="disabled" kind="neutral" />
                  )}
                  {j.pause ? <Badge value="paused" kind="warn" /> : null}
                </td>
              </tr>
            ))}
          </Table>
          {data.jobs.length === 0 ? <p className="muted">No job matches.</p> : null}
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              disabled={after.length < 2}
              onClick={() => setPages({ key, after: after.slice(0, -1) })}
            >
              Previous page
            </button>
            <span className="muted">Page {after.length}</span>
            <button
              type="button"
              disabled={!data.next_start_after}
              onClick={() => setPages({ key, after: [...after, data.next_start_after] })}
            >
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </>
  );
}

function FilterForm({
  account,
  filters,
  runners,
}: {
  account: string;
  filters: Filters;
  runners: string[];
}) {
  const [draft, setDraft] = useState<Filters>(filters);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value || undefined });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(href(['a', account, 'jobs'], draft));
  };
  return (
    <form className="filters" role="search" onSubmit={submit}>
      <label>
        Name contains <input type="search" value={draft.search ?? ''} onChange={set('search')} />
      </label>
      <Choice
        label="Enabled"
        value={draft.enabled}
        onChange={set('enabled')}
        options={[
          ['true', 'enabled'],
          ['false', 'disabled'],
        ]}
      />
      <Choice
        label="Runner"
        value={draft.runner}
        onChange={set('runner')}
        options={runners.map((r) => [r, r])}
      />
      <label>
        Tag <input placeholder="key:value" value={draft.tag ?? ''} onChange={set('tag')} />
      </label>
      <Choice
        label="Paused"
        value={draft.paused}
        onChange={set('paused')}
        options={[
          ['true', 'paused'],
          ['false', 'not paused'],
        ]}
      />
      <button type="submit">Apply filters</button>
    </form>
  );
}

/** A filter's choice: `any`, or one of the options (value, label). */
function Choice({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value?: string;
  onChange: (e: { target: { value: string } }) => void;
  options: [string, string][];
}) {
  return (
    <label>
      {label}{' '}
      <select value={value ?? ''} onChange={onChange}>
        <option value="">any</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

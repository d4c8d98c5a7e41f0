import { useState } from 'react';
import { may, messageOf, must, type Occurrence } from '../api/client';
import { href } from '../router';
import type { Session } from '../session';
import { useLoad } from '../components/load';
import { clockTime, dayKey, weekStart } from '../components/time';
import { Badge, Dialog, ErrorNote, Loading } from '../components/ui';
import { PauseForm } from './job/PauseForm';

const DAY_MS = 86_400_000;
const SHOWN_PER_DAY = 150;
/** A job firing more often than this in a day is one line (its conflicts and skips stay apart). */
const REPEATS = 4;

type Line = { o: Occurrence; repeats?: { count: number; last: string } };

/**
 * A day's occurrences as lines: a job's plain occurrences (no conflict, not skipped) folded into
 * one line when it fires more than REPEATS times that day; the others one line each.
 */
function linesOf(list: Occurrence[]): Line[] {
  const plain = new Map<string, Occurrence[]>();
  for (const o of list) {
    if (o.conflicts?.length || o.paused || o.blackout) continue;
    plain.set(o.job, [...(plain.get(o.job) ?? []), o]);
  }
  const lines: Line[] = [];
  for (const o of list) {
    const same = plain.get(o.job);
    const folded = same && same.length > REPEATS && same.includes(o);
    if (!folded) lines.push({ o });
    else if (same[0] === o)
      lines.push({ o, repeats: { count: same.length, last: same[same.length - 1].at } });
  }
  return lines;
}

/** Every action of the account in a week, day by day: conflicts, blackouts and pauses marked. */
export function Week({ session, account }: { session: Session; account: string }) {
  const [offset, setOffset] = useState(0);
  const start = weekStart(new Date(Date.now() + offset * 7 * DAY_MS));
  const end = new Date(start.getTime() + 7 * DAY_MS);
  const week = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/schedule', {
          params: {
            path: { account },
            query: { from: start.toISOString(), to: end.toISOString() },
          },
        }),
      ),
    [account, start.getTime()],
  );
  const days = Array.from({ length: 7 }, (_, i) => new Date(start.getTime() + i * DAY_MS));
  const byDay = new Map<string, Occurrence[]>();
  for (const o of week.data ?? []) {
    const k = dayKey(new Date(o.at));
    byDay.set(k, [...(byDay.get(k) ?? []), o]);
  }
  const names = new Map((week.data ?? []).map((o) => [o.job, o.name]));
  const conflicts = (week.data ?? []).filter((o) => o.conflicts?.length).length;
  const groups = [...new Set((week.data ?? []).map((o) => o.job.split('/')[0]))].sort();
  return (
    <>
      <h1>
        Week of{' '}
        {start.toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' })}
      </h1>
      <div className="buttons">
        <button type="button" onClick={() => setOffset(offset - 1)}>
          Previous week
        </button>
        <button type="button" onClick={() => setOffset(0)} disabled={offset === 0}>
          This week
        </button>
        <button type="button" onClick={() => setOffset(offset + 1)}>
          Next week
        </button>
      </div>
      <ErrorNote error={week.error} />
      {week.loading && !week.data ? <Loading what="the week" /> : null}
      {week.data ? (
        <p className="muted" data-testid="week-summary">
          {week.data.length} actions{conflicts ? `, ${conflicts} in conflict` : ''}.
        </p>
      ) : null}
      {may(session.who, 'run') ? (
        <GroupPause session={session} account={account} groups={groups} onDone={week.reload} />
      ) : null}
      <div className="week">
        {days.map((d) => {
          const list = byDay.get(dayKey(d)) ?? [];
          const lines = linesOf(list);
          const blackout = list.find((o) => o.blackout)?.blackout;
          return (
            <section
              key={d.getTime()}
              className={`day${blackout ? ' blackout' : ''}`}
              aria-label={d.toDateString()}
            >
              <h2>
                {d.toLocaleDateString(undefined, {
                  weekday: 'short',
                  day: 'numeric',
                  month: 'short',
                })}
                {blackout ? <Badge value={`blackout ${blackout}`} kind="warn" /> : null}
              </h2>
              <div className="track" aria-hidden="true">
                {list.slice(0, SHOWN_PER_DAY).map((o) => (
                  <span
                    key={`${o.job}@${o.at}`}
                    className={`tick${o.conflicts?.length ? ' conflict' : ''}${o.paused || o.blackout ? ' skipped' : ''}`}
                    style={{ left: `${((Date.parse(o.at) - d.getTime()) / DAY_MS) * 100}%` }}
                  />
                ))}
              </div>
              <ul>
                {lines.slice(0, SHOWN_PER_DAY).map((l) => (
                  <OccurrenceItem
                    key={`${l.o.job}@${l.o.at}`}
                    line={l}
                    account={account}
                    names={names}
                  />
                ))}
              </ul>
              {lines.length > SHOWN_PER_DAY ? (
                <p className="muted small">and {lines.length - SHOWN_PER_DAY} more</p>
              ) : null}
              {list.length === 0 ? <p className="muted small">Nothing.</p> : null}
            </section>
          );
        })}
      </div>
    </>
  );
}

function OccurrenceItem({
  line,
  account,
  names,
}: {
  line: Line;
  account: string;
  names: Map<string, string>;
}) {
  const { o, repeats } = line;
  const conflict = !!o.conflicts?.length;
  return (
    <li className={`occ${conflict ? ' conflict' : ''}${o.paused || o.blackout ? ' skipped' : ''}`}>
      <time dateTime={o.at}>{clockTime(o.at)}</time>
      {repeats ? `–${clockTime(repeats.last)}` : ''}{' '}
      <a href={href(['a', account, 'jobs', ...o.job.split('/')])}>{o.name}</a>
      {o.action ? <span className="muted small"> {o.action}</span> : null}
      {repeats ? <span className="muted small"> ×{repeats.count}</span> : null}
      {o.resource ? (
        <div className="muted small">
          <code>{o.resource}</code>
        </div>
      ) : null}
      {o.paused ? <Badge value="paused" kind="warn" /> : null}
      {o.blackout ? <Badge value={`blackout ${o.blackout}`} kind="warn" /> : null}
      {conflict ? (
        <div className="conflict-note">
          <Badge value="conflict" kind="bad" /> with{' '}
          {o.conflicts!.map((c, i) => {
            const [ref, at] = c.split('@');
            return (
              <span key={c}>
                {i > 0 ? ', ' : ''}
                <a href={href(['a', account, 'jobs', ...ref.split('/')])}>
                  {names.get(ref) ?? ref}
                </a>
                {at ? ` at ${clockTime(at)}` : ''}
              </span>
            );
          })}
        </div>
      ) : null}
    </li>
  );
}

function GroupPause({
  session,
  account,
  groups,
  onDone,
}: {
  session: Session;
  account: string;
  groups: string[];
  onDone: () => void;
}) {
  const choices = session.who.groups ?? groups;
  const [group, setGroup] = useState('');
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const chosen = group || choices[0] || '';
  const resume = async () => {
    setError(null);
    try {
      const r = must(
        await session.api.POST('/v1/minion/{account}/jobs/{group}/resume', {
          params: { path: { account, group: chosen } },
        }),
      );
      setStatus(`Resumed ${r.changed.length} job(s) of ${chosen}.`);
      onDone();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="panel" aria-labelledby="group-h">
      <h2 id="group-h">Pause or resume a group</h2>
      <div className="buttons">
        <label>
          Group{' '}
          <input list="week-groups" value={chosen} onChange={(e) => setGroup(e.target.value)} />
          <datalist id="week-groups">
            {choices.map((g) => (
              <option key={g} value={g} />
            ))}
          </datalist>
        </label>
        <button type="button" disabled={!chosen} onClick={() => setOpen(true)}>
          Pause the group…
        </button>
        <button type="button" disabled={!chosen} onClick={resume}>
          Resume the group
        </button>
      </div>
      <p role="status" aria-live="polite" className="muted">
        {status}
      </p>
      <ErrorNote error={error} />
      <Dialog title={`Pause every job of ${chosen}`} open={open} onClose={() => setOpen(false)}>
        <PauseForm
          submitLabel="Pause the group"
          onCancel={() => setOpen(false)}
          onPause={async (body) => {
            const res = await session.api.POST('/v1/minion/{account}/jobs/{group}/pause', {
              params: { path: { account, group: chosen } },
              body,
            });
            if (!res.response.ok) return messageOf(res);
            setOpen(false);
            setStatus(`Paused ${res.data?.changed.length ?? 0} job(s) of ${chosen}.`);
            onDone();
            return null;
          }}
        />
      </Dialog>
    </section>
  );
}

import { type FormEvent, useState } from 'react';
import { may, messageOf, must, type Calendar } from '../api/client';
import type { Session } from '../session';
import { useLoad } from '../components/load';
import { ErrorNote, Field, FormButtons, Loading } from '../components/ui';
import { fieldErrors } from './job/field-errors';

/** The account's blackout calendars; a write key edits those set over the API. */
export function Calendars({ session, account }: { session: Session; account: string }) {
  const list = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/calendars', { params: { path: { account } } }),
      ),
    [account],
  );
  const [editing, setEditing] = useState<Calendar | 'new' | null>(null);
  const canWrite = may(session.who, 'write');
  return (
    <>
      <h1>Blackout calendars of {account}</h1>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <Loading what="the calendars" /> : null}
      {list.data?.length === 0 ? <p className="muted">No calendar.</p> : null}
      <div className="cards">
        {list.data?.map((c) => (
          <section key={c.name} className="card" aria-labelledby={`cal-${c.name}`}>
            <h2 id={`cal-${c.name}`}>{c.name}</h2>
            <p className="muted small">
              {c.timezone} ·{' '}
              {c.source === 'config' ? 'from the configuration (read-only)' : 'set over the API'}
            </p>
            {c.description ? <p>{c.description}</p> : null}
            <ul className="dates">
              {c.dates.map((d) => (
                <li key={d}>{d.replace('..', ' to ')}</li>
              ))}
            </ul>
            {canWrite && c.source === 'api' ? (
              <button type="button" onClick={() => setEditing(c)}>
                Edit {c.name}
              </button>
            ) : null}
          </section>
        ))}
      </div>
      {canWrite && !editing ? (
        <button type="button" onClick={() => setEditing('new')}>
          New calendar
        </button>
      ) : null}
      {editing ? (
        <CalendarForm
          session={session}
          account={account}
          calendar={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}

function CalendarForm({
  session,
  account,
  calendar,
  onDone,
}: {
  session: Session;
  account: string;
  calendar: Calendar | null;
  onDone: () => void;
}) {
  const [name, setName] = useState(calendar?.name ?? '');
  const [timezone, setTimezone] = useState(calendar?.timezone ?? 'UTC');
  const [dates, setDates] = useState((calendar?.dates ?? []).join('\n'));
  const [description, setDescription] = useState(calendar?.description ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setErrors({ name: 'name: a calendar needs a name' });
    const res = await session.api.PUT('/v1/minion/{account}/calendars/{name}', {
      params: { path: { account, name: name.trim() } },
      body: {
        timezone,
        dates: dates
          .split('\n')
          .map((d) => d.trim())
          .filter(Boolean),
        ...(description ? { description } : {}),
      },
    });
    if (res.response.ok) return onDone();
    setErrors(fieldErrors(messageOf(res), ['name', 'timezone', 'dates', 'description']));
  };
  return (
    <form
      className="panel"
      onSubmit={submit}
      noValidate
      aria-label={calendar ? `Edit ${calendar.name}` : 'New calendar'}
    >
      <ErrorNote error={errors._form} />
      <Field label="Name" error={errors.name}>
        {(p) => (
          <input
            {...p}
            value={name}
            disabled={!!calendar}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field label="Time zone" error={errors.timezone}>
        {(p) => <input {...p} value={timezone} onChange={(e) => setTimezone(e.target.value)} />}
      </Field>
      <Field label="Days, one a line (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)" error={errors.dates}>
        {(p) => (
          <textarea {...p} rows={5} value={dates} onChange={(e) => setDates(e.target.value)} />
        )}
      </Field>
      <Field label="Description" error={errors.description}>
        {(p) => (
          <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />
        )}
      </Field>
      <FormButtons submit="Save the calendar" onCancel={onDone} />
    </form>
  );
}

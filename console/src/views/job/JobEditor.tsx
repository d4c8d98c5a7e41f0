import { type FormEvent, useState } from 'react';
import { messageOf, type JobResponse } from '../../api/client';
import type { Session } from '../../session';
import { ErrorNote, Field, FormButtons } from '../../components/ui';
import { fieldErrors } from './field-errors';

const FIELDS = [
  'name',
  'description',
  'schedule_expression',
  'timezone',
  'enabled',
  'details',
  'tags',
  'blackout_calendars',
] as const;

const lines = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join('\n');

function pairs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    });
}

/** Edits a job (PUT): every field the server refuses is said at that field. */
export function JobEditor({
  session,
  account,
  group,
  id,
  job,
  onSaved,
  onCancel,
}: {
  session: Session;
  account: string;
  group: string;
  id: string;
  job: JobResponse;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const j = job.job;
  const [form, setForm] = useState({
    name: j.name,
    description: j.description,
    schedule_expression: j.schedule_expression,
    timezone: j.timezone ?? 'UTC',
    enabled: j.enabled,
    details: lines(Object.entries(j.details)),
    tags: lines(job.tags.map((t) => [t.key, t.value])),
    blackout_calendars: (j.blackout_calendars ?? []).join(', '),
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const calendars = form.blackout_calendars
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const res = await session.api.PUT('/v1/minion/{account}/jobs/{group}/{id}', {
      params: { path: { account, group, id } },
      body: {
        job: {
          name: form.name,
          description: form.description,
          schedule_expression: form.schedule_expression,
          timezone: form.timezone,
          enabled: form.enabled,
          details: Object.fromEntries(pairs(form.details)),
          ...(calendars.length ? { blackout_calendars: calendars } : {}),
          modified_by: session.who.name,
        },
        tags: pairs(form.tags).map(([key, value]) => ({ key, value })),
      },
    });
    setBusy(false);
    if (res.response.ok) return onSaved();
    setErrors(fieldErrors(messageOf(res), FIELDS));
  };
  return (
    <form className="editor" onSubmit={submit} noValidate aria-label="Edit the job">
      <ErrorNote error={errors._form} />
      <Field label="Name" error={errors.name}>
        {(p) => <input {...p} value={form.name} onChange={set('name')} />}
      </Field>
      <Field label="Description" error={errors.description}>
        {(p) => <input {...p} value={form.description} onChange={set('description')} />}
      </Field>
      <Field
        label="Schedule (cron)"
        error={errors.schedule_expression}
        hint="minute hour day-of-month month day-of-week"
      >
        {(p) => (
          <input {...p} value={form.schedule_expression} onChange={set('schedule_expression')} />
        )}
      </Field>
      <Field label="Time zone" error={errors.timezone}>
        {(p) => <input {...p} value={form.timezone} onChange={set('timezone')} />}
      </Field>
      <Field label="Details, one key=value a line" error={errors.details}>
        {(p) => <textarea {...p} rows={4} value={form.details} onChange={set('details')} />}
      </Field>
      <Field label="Tags, one key=value a line" error={errors.tags}>
        {(p) => <textarea {...p} rows={2} value={form.tags} onChange={set('tags')} />}
      </Field>
      <Field label="Blackout calendars, comma separated" error={errors.blackout_calendars}>
        {(p) => (
          <input {...p} value={form.blackout_calendars} onChange={set('blackout_calendars')} />
        )}
      </Field>
      <Field label="Enabled" error={errors.enabled}>
        {(p) => (
          <input
            {...p}
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => setForm({ ...form, enabled: e.target.checked })}
          />
        )}
      </Field>
      <FormButtons submit="Save" busy={busy} onCancel={onCancel} />
    </form>
  );
}

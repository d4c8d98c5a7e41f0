import { type FormEvent, useState } from 'react';
import { ErrorNote, Field, FormButtons } from '../../components/ui';
import { fieldErrors } from './field-errors';
import { fromLocalInput, nextMonday, toLocalInput } from '../../components/time';

/** Until when (or until resumed) and why: for one job or a whole group. */
export function PauseForm({
  onPause,
  onCancel,
  submitLabel,
}: {
  onPause: (body: { until: string | null; reason: string }) => Promise<string | null>;
  onCancel: () => void;
  submitLabel: string;
}) {
  const [until, setUntil] = useState(() => toLocalInput(nextMonday(new Date())));
  const [indefinite, setIndefinite] = useState(false);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const error = await onPause({
      until: indefinite || !until ? null : fromLocalInput(until),
      reason,
    });
    setBusy(false);
    setErrors(error ? fieldErrors(error, ['until', 'reason']) : {});
  };
  return (
    <form onSubmit={submit} noValidate>
      <ErrorNote error={errors._form} />
      <Field label="Paused until (your time)" error={errors.until}>
        {(p) => (
          <input
            {...p}
            type="datetime-local"
            value={until}
            disabled={indefinite}
            onChange={(e) => setUntil(e.target.value)}
          />
        )}
      </Field>
      <div className="buttons">
        <button
          type="button"
          className="secondary"
          onClick={() => setUntil(toLocalInput(nextMonday(new Date())))}
        >
          Next Monday 08:00
        </button>
        <label>
          <input
            type="checkbox"
            checked={indefinite}
            onChange={(e) => setIndefinite(e.target.checked)}
          />{' '}
          Until resumed
        </label>
      </div>
      <Field label="Reason" error={errors.reason}>
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <FormButtons submit={submitLabel} busy={busy} onCancel={onCancel} />
    </form>
  );
}

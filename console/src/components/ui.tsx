import { type ReactNode, useEffect, useId, useRef } from 'react';

export function ErrorNote({ error }: { error?: Error | string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {typeof error === 'string' ? error : error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

const STATUS_CLASS: Record<string, string> = {
  succeeded: 'ok',
  failed: 'bad',
  skipped: 'warn',
  missed: 'warn',
  reached: 'ok',
  already: 'ok',
  allowed: 'ok',
  denied: 'bad',
};

/** A status in words, with a colour that only repeats what the word says. */
export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span className={`badge ${kind ?? STATUS_CLASS[value] ?? 'neutral'}`}>{value}</span>;
}

/** A modal dialog (the platform's `<dialog>`): focus moves in, Escape closes it. */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}

/** A labelled control with its error (from the server) said next to it. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: {
    id: string;
    'aria-invalid'?: boolean;
    'aria-describedby'?: string;
  }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {hint ? (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

/** A table with its column headings, named for assistive technology. */
export function Table({
  label,
  head,
  className,
  children,
}: {
  label: string;
  head: string[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={className} aria-label={label}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A form's submit and cancel buttons. */
export function FormButtons({
  submit,
  busy,
  onCancel,
}: {
  submit: string;
  busy?: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="buttons">
      <button type="submit" disabled={busy}>
        {submit}
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

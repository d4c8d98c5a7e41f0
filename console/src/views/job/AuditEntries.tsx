import type { AuditEntry } from '../../api/client';
import { localTime } from '../../components/time';
import { Table } from '../../components/ui';

function show(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${typeof x === 'string' ? x : JSON.stringify(x)}`)
      .join(' · ');
  }
  return JSON.stringify(v);
}

/** Audit entries: when, which key, what, and each changed field before and after. */
export function AuditEntries({
  entries,
  label,
  withJob,
}: {
  entries: AuditEntry[];
  label: string;
  withJob?: boolean;
}) {
  if (entries.length === 0) return <p className="muted">No entry.</p>;
  return (
    <ol className="audit" aria-label={label}>
      {entries.map((e) => (
        <li key={e.entry_id}>
          <div>
            <strong>{e.action}</strong> by <code>{e.key}</code> · {localTime(e.at, true)}
            {withJob ? (
              <span className="muted">
                {' '}
                · {e.group}
                {e.id ? `/${e.id}` : ''}
              </span>
            ) : null}
          </div>
          {e.detail ? <div className="muted small">{e.detail}</div> : null}
          {e.changes && Object.keys(e.changes).length ? (
            <Table
              className="small changes"
              label={`Changes of ${e.action}`}
              head={['Field', 'Before', 'After']}
            >
              {Object.entries(e.changes).map(([field, c]) => (
                <tr key={field}>
                  <td>
                    <code>{field}</code>
                  </td>
                  <td className="before">{show(c.before)}</td>
                  <td className="after">{show(c.after)}</td>
                </tr>
              ))}
            </Table>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

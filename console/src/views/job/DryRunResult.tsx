import type { Schemas } from '../../api/client';
import { Badge, Table } from '../../components/ui';

type DryRun = Schemas['DryRun'] | Schemas['DryRunStep'];

/** A dry run as the API answers it: the state, what would happen, each permission check. */
export function DryRunResult({ d }: { d: DryRun }) {
  return (
    <div className="dry-run" data-testid="dry-run">
      <p>
        <strong>{d.would}</strong>
      </p>
      <dl className="details">
        <dt>Runner</dt>
        <dd>
          {d.runner} ({d.type})
        </dd>
        <dt>State now</dt>
        <dd>{d.state ?? '—'}</dd>
        {d.acts_on ? (
          <>
            <dt>Acts on</dt>
            <dd>
              <code>{d.acts_on.resource}</code>: {d.acts_on.action}
            </dd>
          </>
        ) : null}
        <dt>Worst case</dt>
        <dd>{Math.round(d.worst_case_ms / 1000)} s</dd>
      </dl>
      {d.checks.length ? (
        <Table
          className="small"
          label="Permission checks"
          head={['Permission', 'Result', 'Detail']}
        >
          {d.checks.map((c) => (
            <tr key={c.permission}>
              <td>
                <code>{c.permission}</code>
              </td>
              <td>
                <Badge value={c.result} />
              </td>
              <td>{c.detail ?? ''}</td>
            </tr>
          ))}
        </Table>
      ) : null}
      {d.fleet ? (
        <p className="small">
          Fleet <code>{d.fleet.selector}</code>: matches {d.fleet.matched}, would act on{' '}
          {d.fleet.acting}, {d.fleet.already} already there, {d.fleet.skipped} skipped
          {d.fleet.refused ? `; over the limit of ${d.fleet.limit}: refused` : ''}
        </p>
      ) : null}
      {d.steps?.length ? (
        <ol className="steps">
          {d.steps.map((s) => (
            <li key={s.step}>
              <code>{s.job}</code>
              <DryRunResult d={s} />
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

import { must, type RunRecord, type Schemas } from '../../api/client';
import type { Session } from '../../session';
import { useLoad } from '../../components/load';
import { localTime } from '../../components/time';
import { Badge, ErrorNote, Loading, Table } from '../../components/ui';

type StepOutcome = Schemas['StepOutcome'];

/** The job's runs, newest first, each with what became of each resource (or step). */
export function RunHistory({
  session,
  account,
  group,
  id,
  changed,
}: {
  session: Session;
  account: string;
  group: string;
  id: string;
  changed: number;
}) {
  const runs = useLoad(
    async () =>
      must(
        await session.api.GET('/v1/minion/{account}/jobs/{group}/{id}/runs', {
          params: { path: { account, group, id }, query: { limit: 20 } },
        }),
      ),
    [account, group, id, changed],
  );
  return (
    <section aria-labelledby="runs-h">
      <h2 id="runs-h">Run history</h2>
      <ErrorNote error={runs.error} />
      {!runs.data && !runs.error ? <Loading what="the runs" /> : null}
      {runs.data?.length === 0 ? <p className="muted">No run yet.</p> : null}
      <ol className="runs" data-testid="runs">
        {runs.data?.map((r) => (
          <RunItem key={`${r.run_id}#${r.attempt}`} r={r} />
        ))}
      </ol>
    </section>
  );
}

function RunItem({ r }: { r: RunRecord }) {
  return (
    <li className="run">
      <div className="run-head">
        <Badge value={r.status} />
        <span>
          {r.trigger === 'manual'
            ? 'Run now'
            : `Scheduled ${r.scheduled_for ? localTime(r.scheduled_for) : ''}`}
        </span>
        <span className="muted small">
          attempt {r.attempt} · {localTime(r.started_at, true)} · {r.duration_ms} ms
          {r.will_retry ? ' · will retry' : ''}
        </span>
      </div>
      {r.output ? <pre className="output">{r.output}</pre> : null}
      {r.error ? <p className="error-text">{r.error}</p> : null}
      {r.outcome ? (
        <p className="small">
          {r.outcome.resource}: <Badge value={r.outcome.result} /> {r.outcome.before ?? '?'} →{' '}
          {r.outcome.state ?? '?'}
          {r.outcome.target ? ` (target ${r.outcome.target})` : ''}
        </p>
      ) : null}
      {r.fleet ? <FleetResources r={r} /> : null}
      {r.steps?.length ? <Steps steps={r.steps} /> : null}
    </li>
  );
}

function FleetResources({ r }: { r: RunRecord }) {
  const f = r.fleet!;
  return (
    <details>
      <summary>
        Fleet <code>{f.selector}</code>: {f.matched} matched, {f.reached} reached {f.target},{' '}
        {f.already} already, {f.skipped} skipped, {f.missed} missed
      </summary>
      <Table
        className="small"
        label="Each resource's outcome"
        head={['Resource', 'Result', 'Before → state', 'Detail']}
      >
        {(r.resources ?? []).map((res) => (
          <tr key={res.id}>
            <td>
              <code>{res.id}</code>
            </td>
            <td>
              <Badge value={res.result} />
            </td>
            <td>
              {res.before ?? '?'} → {res.state ?? '?'}
              {res.ms !== undefined ? ` (${Math.round(res.ms / 1000)} s)` : ''}
            </td>
            <td>{res.detail ?? ''}</td>
          </tr>
        ))}
      </Table>
      {r.resources_omitted ? (
        <p className="muted small">{r.resources_omitted} more not kept in the record.</p>
      ) : null}
    </details>
  );
}

function Steps({ steps }: { steps: StepOutcome[] }) {
  return (
    <Table className="small" label="Each step's outcome" head={['Step', 'Job', 'Status', 'Detail']}>
      {steps.map((s) => (
        <tr key={s.step}>
          <td>{s.step}</td>
          <td>
            <code>{s.job}</code>
          </td>
          <td>
            <Badge value={s.status} />
          </td>
          <td>
            {s.outcome ? `${s.outcome.resource}: ${s.outcome.result}` : ''}
            {s.error ? ` ${s.error}` : ''}
            {s.duration_ms !== undefined ? ` (${s.duration_ms} ms)` : ''}
          </td>
        </tr>
      ))}
    </Table>
  );
}

import { useState } from 'react';
import {
  ApiError,
  may,
  messageOf,
  must,
  type JobResponse,
  type RunRecord,
  type Schemas,
} from '../../api/client';
import { href, navigate } from '../../router';
import type { JobProps } from '../JobView';
import { Badge, Dialog, ErrorNote } from '../../components/ui';
import { DryRunResult } from './DryRunResult';
import { JobEditor } from './JobEditor';
import { PauseForm } from './PauseForm';

const WATCH_MS = 60_000;

/**
 * What the key may do to the job, and only that: run now, dry run, pause and resume need `run`;
 * enable/disable, edit and delete need `write`. A read key sees no button (the server would
 * refuse anyway).
 */
export function JobActions({
  session,
  account,
  group,
  id,
  job,
  onChanged,
}: JobProps & { job: JobResponse; onChanged: () => void }) {
  const { api, who } = session;
  const path = { account, group, id };
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [dryRun, setDryRun] = useState<Schemas['DryRun'] | null>(null);
  const [dialog, setDialog] = useState<'pause' | 'delete' | null>(null);
  const [editing, setEditing] = useState(false);
  const [watched, setWatched] = useState<RunRecord | null>(null);
  const canRun = may(who, 'run');
  const canWrite = may(who, 'write');
  if (!canRun) return null;

  const act = async (what: string, call: () => Promise<unknown>) => {
    setError(null);
    setStatus(`${what}…`);
    try {
      await call();
      setStatus(`${what}: done.`);
      onChanged();
    } catch (err) {
      setStatus(null);
      setError(err as Error);
    }
  };

  const runNow = () =>
    act('Run now', async () => {
      const { run_id } = must(
        await api.PATCH('/v1/minion/{account}/jobs/{group}/{id}', { params: { path } }),
      );
      setWatched(null);
      setStatus(`Queued ${run_id}; waiting for its outcome…`);
      const deadline = Date.now() + WATCH_MS;
      while (Date.now() < deadline) {
        const runs = must(
          await api.GET('/v1/minion/{account}/jobs/{group}/{id}/runs', {
            params: { path, query: { limit: 5 } },
          }),
        );
        const record =
          runs.find((r) => r.run_id === run_id && r.status !== 'failed') ??
          runs.find((r) => r.run_id === run_id);
        if (record && !record.will_retry) {
          setWatched(record);
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`${run_id} has no outcome after ${WATCH_MS / 1000} s; see the run history`);
    });

  const putEnabled = (enabled: boolean) =>
    act(enabled ? 'Enable' : 'Disable', async () =>
      must(
        await api.PUT('/v1/minion/{account}/jobs/{group}/{id}', {
          params: { path },
          body: { job: { ...job.job, enabled, modified_by: who.name }, tags: job.tags },
        }),
      ),
    );

  return (
    <section className="actions" aria-label="Actions">
      <div className="buttons">
        <button type="button" onClick={runNow}>
          Run now
        </button>
        <button
          type="button"
          onClick={() =>
            act('Dry run', async () =>
              setDryRun(
                must(
                  await api.POST('/v1/minion/{account}/jobs/{group}/{id}/dry-run', {
                    params: { path },
                  }),
                ),
              ),
            )
          }
        >
          Dry run
        </button>
        {job.job.pause ? (
          <button
            type="button"
            onClick={() =>
              act('Resume', async () =>
                must(
                  await api.POST('/v1/minion/{account}/jobs/{group}/{id}/resume', {
                    params: { path },
                  }),
                ),
              )
            }
          >
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => setDialog('pause')}>
            Pause…
          </button>
        )}
        {canWrite ? (
          <>
            <button type="button" onClick={() => putEnabled(!job.job.enabled)}>
              {job.job.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              Edit
            </button>
            <button type="button" className="danger" onClick={() => setDialog('delete')}>
              Delete…
            </button>
          </>
        ) : null}
      </div>
      <p role="status" aria-live="polite" className="muted" data-testid="action-status">
        {status}
      </p>
      {watched ? (
        <p data-testid="run-outcome">
          Outcome of <code>{watched.run_id}</code>: <Badge value={watched.status} />{' '}
          {watched.output ?? watched.error ?? ''}
        </p>
      ) : null}
      <ErrorNote error={error} />
      {dryRun ? (
        <section aria-labelledby="dry-h" className="panel">
          <h2 id="dry-h">Dry run</h2>
          <DryRunResult d={dryRun} />
          <button type="button" className="secondary" onClick={() => setDryRun(null)}>
            Close the dry run
          </button>
        </section>
      ) : null}
      {editing ? (
        <section aria-labelledby="edit-h" className="panel">
          <h2 id="edit-h">Edit</h2>
          <JobEditor
            session={session}
            account={account}
            group={group}
            id={id}
            job={job}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              setStatus('Saved.');
              onChanged();
            }}
          />
        </section>
      ) : null}
      <Dialog
        title={`Pause ${job.job.name}`}
        open={dialog === 'pause'}
        onClose={() => setDialog(null)}
      >
        <PauseForm
          submitLabel="Pause"
          onCancel={() => setDialog(null)}
          onPause={async (body) => {
            const res = await api.POST('/v1/minion/{account}/jobs/{group}/{id}/pause', {
              params: { path },
              body,
            });
            if (!res.response.ok) return messageOf(res);
            setDialog(null);
            setStatus('Paused.');
            onChanged();
            return null;
          }}
        />
      </Dialog>
      <Dialog
        title={`Delete ${job.job.name}?`}
        open={dialog === 'delete'}
        onClose={() => setDialog(null)}
      >
        <p>
          The job{' '}
          <code>
            {group}/{id}
          </code>{' '}
          is deleted for good; its run and audit history stay.
        </p>
        <div className="buttons">
          <button
            type="button"
            className="danger"
            onClick={() =>
              act('Delete', async () => {
                const res = await api.DELETE('/v1/minion/{account}/jobs/{group}/{id}', {
                  params: { path },
                  parseAs: 'text',
                });
                if (!res.response.ok) throw new ApiError(res.response.status, messageOf(res));
                setDialog(null);
                navigate(href(['a', account, 'jobs']));
              })
            }
          >
            Delete the job
          </button>
          <button type="button" className="secondary" onClick={() => setDialog(null)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </section>
  );
}

import { JobDocument } from '../domain/job-document';
import { FieldChange } from './audit-entry';

/** The fields of a job a change is reported for (`details` and `tags` go key by key). */
const FIELDS = [
  'name',
  'description',
  'schedule_expression',
  'enabled',
  'timezone',
  'modified_by',
  'pause',
  'blackout_calendars',
] as const;

/**
 * Each field that differs between two versions of a job, before -> after. A create has no
 * before (null), a delete no after. `details.<key>` and `tags.<key>` are reported one by one.
 */
export function changesOf(
  before: JobDocument | null,
  after: JobDocument | null,
): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  const put = (field: string, b: unknown, a: unknown) => {
    if (JSON.stringify(b) !== JSON.stringify(a))
      changes[field] = { before: b ?? null, after: a ?? null };
  };
  for (const f of FIELDS) put(f, before?.[f], after?.[f]);
  const details = new Set([
    ...Object.keys(before?.details ?? {}),
    ...Object.keys(after?.details ?? {}),
  ]);
  for (const k of [...details].sort())
    put(`details.${k}`, before?.details?.[k], after?.details?.[k]);
  const tags = (d: JobDocument | null) => new Map((d?.tags ?? []).map((t) => [t.key, t.value]));
  const [tb, ta] = [tags(before), tags(after)];
  for (const k of [...new Set([...tb.keys(), ...ta.keys()])].sort())
    put(`tags.${k}`, tb.get(k), ta.get(k));
  return changes;
}

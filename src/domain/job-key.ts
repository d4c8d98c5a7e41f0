/**
 * Every spelling of a job's identity, in one place: the structured key, the reference caches,
 * queues and events use (`<account>/<group>/<id>`), the entry of an account listing
 * (`<group>/<id>`, the original's answer) and an occurrence id (`<ref>@<when>`). Account, group and
 * id are safe path segments (never a `/`), so each form splits back unambiguously.
 */
export interface JobKey {
  account: string;
  group: string;
  id: string;
}

/** `<account>/<group>/<id>`. */
export function jobRef(key: JobKey): string {
  return `${key.account}/${key.group}/${key.id}`;
}

/** The key of a `jobRef`; null when the text is not one. */
export function parseJobRef(ref: string): JobKey | null {
  const first = ref.indexOf('/');
  const second = ref.indexOf('/', first + 1);
  if (first <= 0 || second <= first + 1 || second === ref.length - 1) return null;
  if (ref.indexOf('/', second + 1) !== -1) return null;
  return {
    account: ref.slice(0, first),
    group: ref.slice(first + 1, second),
    id: ref.slice(second + 1),
  };
}

/** `<group>/<id>`: how an account listing names a job. */
export function groupEntry(key: Pick<JobKey, 'group' | 'id'>): string {
  return `${key.group}/${key.id}`;
}

/** The key of an account listing's entry; null when the entry is not `<group>/<id>`. */
export function parseGroupEntry(account: string, entry: string): JobKey | null {
  const slash = entry.indexOf('/');
  if (slash <= 0 || slash === entry.length - 1 || entry.indexOf('/', slash + 1) !== -1) return null;
  return { account, group: entry.slice(0, slash), id: entry.slice(slash + 1) };
}

/** The group of a `<group>/<id>` entry. */
export function groupOfEntry(entry: string): string {
  const slash = entry.indexOf('/');
  return slash < 0 ? entry : entry.slice(0, slash);
}

/**
 * An occurrence id: `<account>/<group>/<id>@<minute RFC 3339>` for a scheduled one,
 * `...@manual-<uuid>` for a manual run. It is also the run id of the records of its attempts.
 */
export function occurrenceId(ref: string, when: string): string {
  return `${ref}@${when}`;
}

/** The job an occurrence (run) id belongs to; null when the text is not one. */
export function jobOfOccurrenceId(runId: string): JobKey | null {
  const at = runId.lastIndexOf('@');
  return at < 0 ? null : parseJobRef(runId.slice(0, at));
}

import { InvalidFieldError } from '../../common/errors';

/** One condition of a selector: the tag `key` has one of `values`. */
export interface TagCondition {
  key: string;
  values: string[];
}

/** Resources carrying tags that meet every condition. */
export interface TagSelector {
  conditions: TagCondition[];
  /** Written back in one canonical form (`Env=dev,staging;Schedule=office-hours`). */
  text: string;
}

const MAX_CONDITIONS = 10;
const MAX_VALUES = 20;
const MAX_KEY = 128;
const MAX_VALUE = 256;
const HINT = 'key=value conditions separated by ";", a value list separated by ","';

/**
 * Reads `details.<detail>`: `Key=Value`, several conditions separated by `;` that must all hold,
 * each with one value or a list separated by `,` (any of them). The first `=` of a condition
 * splits key from values; spaces around separators are ignored. Undefined when the detail is
 * absent; InvalidFieldError naming it when it is malformed.
 */
export function parseTagSelector(
  details: Record<string, string>,
  detail = 'tag_selector',
): TagSelector | undefined {
  const raw = details[detail];
  if (raw === undefined) return undefined;
  const field = `job.details.${detail}`;
  const bad = (why: string) =>
    new InvalidFieldError(field, `"${raw.slice(0, 100)}": ${why} (${HINT})`);
  const parts = raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw bad('is empty');
  if (parts.length > MAX_CONDITIONS) throw bad(`at most ${MAX_CONDITIONS} conditions`);
  const conditions = parts.map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(`"${part.slice(0, 60)}" is not key=value`);
    const key = part.slice(0, eq).trim();
    const values = [
      ...new Set(
        part
          .slice(eq + 1)
          .split(',')
          .map((v) => v.trim()),
      ),
    ];
    if (key.length > MAX_KEY) throw bad(`a key is longer than ${MAX_KEY} characters`);
    if (values.length > MAX_VALUES) throw bad(`at most ${MAX_VALUES} values per key`);
    if (values.some((v) => v.length > MAX_VALUE))
      throw bad(`a value is longer than ${MAX_VALUE} characters`);
    return { key, values: values.sort() };
  });
  const keys = conditions.map((c) => c.key);
  if (new Set(keys).size !== keys.length) throw bad('a key appears twice');
  conditions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const text = conditions.map((c) => `${c.key}=${c.values.join(',')}`).join(';');
  return { conditions, text };
}

/** Whether resource tags meet every condition of the selector. */
export function matchesSelector(tags: Record<string, string>, selector: TagSelector): boolean {
  return selector.conditions.every(
    (c) => Object.prototype.hasOwnProperty.call(tags, c.key) && c.values.includes(tags[c.key]),
  );
}

/** SDK `{Key, Value}` tag lists as a record. */
export function tagRecord(
  tags: { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

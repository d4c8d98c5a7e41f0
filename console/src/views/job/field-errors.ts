/**
 * The server names the field of each problem at the start of its message (`job.name must be...`,
 * `job.details.instance_id: ...`, `tags[0].key ...`), several joined by `; `. Each is put at the
 * form field it names; what names no field of the form stays a form-level error.
 */
export function fieldErrors(message: string, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const m = /^(?:job\.)?([A-Za-z_]+)(?:[.[][^\s:]*)?:?\s/.exec(part);
    const field = m && fields.includes(m[1]) ? m[1] : '_form';
    out[field] = out[field] ? `${out[field]}; ${part}` : part;
  }
  return out;
}

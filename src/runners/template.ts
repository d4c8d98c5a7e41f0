/**
 * The original's Go-template placeholder syntax, `{{.Account}}`, restricted to field lookups:
 * the only thing minion templates ever used. Anything else between `{{ }}` is rejected when the
 * configuration is loaded, so a typo fails at startup rather than at 3 a.m.
 */
const PLACEHOLDER = /\{\{-?\s*([^}]*?)\s*-?\}\}/g;

export class TemplateError extends Error {}

export interface CompiledTemplate {
  render(values: Record<string, string>): string;
}

export function compileTemplate(template: string, fields: readonly string[]): CompiledTemplate {
  for (const [, inner] of template.matchAll(PLACEHOLDER)) {
    const field = /^\.([A-Za-z][A-Za-z0-9]*)$/.exec(inner)?.[1];
    if (!field) throw new TemplateError(`unsupported template action "{{${inner}}}"`);
    if (!fields.includes(field)) {
      throw new TemplateError(
        `unknown placeholder "{{.${field}}}" (known: ${fields.map((f) => `{{.${f}}}`).join(' ')})`,
      );
    }
  }
  return {
    render: (values) =>
      template.replace(PLACEHOLDER, (_, inner: string) => values[inner.trim().slice(1)] ?? ''),
  };
}

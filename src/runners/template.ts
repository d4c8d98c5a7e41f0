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
  // Split once into text and field names (odd indexes): a render is a concatenation, not a
  // regular expression run (the dummy runner renders at every run: 10,000 at a minute boundary).
  const parts = template.split(PLACEHOLDER).map((part, i) => (i % 2 ? part.trim().slice(1) : part));
  return {
    render: (values) => {
      let out = parts[0];
      for (let i = 1; i < parts.length; i += 2) out += (values[parts[i]] ?? '') + parts[i + 1];
      return out;
    },
  };
}

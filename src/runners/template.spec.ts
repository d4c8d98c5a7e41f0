import { compileTemplate, TemplateError } from './template';

describe('compileTemplate (Go placeholder syntax)', () => {
  const fields = ['Account', 'Name'];

  it('renders field placeholders, with or without spaces and trim markers', () => {
    const t = compileTemplate('Hello, {{.Account}}! {{ .Name }} {{- .Account -}}', fields);
    expect(t.render({ Account: 'acme', Name: 'job' })).toBe('Hello, acme! job acme');
  });

  it('leaves text without placeholders alone', () => {
    expect(compileTemplate('plain', fields).render({})).toBe('plain');
  });

  it.each([
    ['{{.Acount}}', /unknown placeholder "\{\{\.Acount\}\}"/],
    ['{{if .Account}}x{{end}}', /unsupported template action/],
    ['{{ Account }}', /unsupported template action/],
  ])('refuses %s', (template, message) => {
    expect(() => compileTemplate(template, fields)).toThrow(TemplateError);
    expect(() => compileTemplate(template, fields)).toThrow(message);
  });
});

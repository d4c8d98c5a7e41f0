import { runParsed } from '../../test/support/aws-test-helpers';
import { InvalidFieldError } from '../common/errors';
import { MinionSettings } from '../config/settings';
import { loadConfig } from '../config/config.loader';
import { DummyRunner } from './dummy.runner';
import { RunnerConfigError, RunnerRegistry } from './runner-registry';

function config(overrides: Record<string, unknown> = {}): MinionSettings {
  const raw = {
    org: 'o',
    token: 't',
    accounts: { a: { runners: ['hello'] }, b: { runners: ['bye'] } },
    jobRunners: {
      hello: { type: 'dummy', config: { template: 'Hello, {{.Account}}!' } },
      bye: { type: 'dummy', config: { template: 'Bye {{.Name}} in {{.Group}}/{{.ID}}' } },
    },
    ...overrides,
  };
  return loadConfig({ argv: [], env: { API_CONFIG: JSON.stringify(raw) }, cwd: '/' });
}

const job = (details: Record<string, string>) => ({
  account: 'a',
  description: '',
  details,
  group: 'g',
  id: 'i1',
  modified_at: '',
  modified_by: '',
  name: 'n1',
  schedule_expression: '* * * * *',
  enabled: true,
});

describe('RunnerRegistry', () => {
  it('builds one runner per jobRunners entry, by type', () => {
    const registry = RunnerRegistry.fromConfig(config());
    expect(registry.get('hello')).toBeInstanceOf(DummyRunner);
    expect(registry.get('bye')?.name).toBe('bye');
  });

  it('resolves details.runner for an account allowed to use it', async () => {
    const registry = RunnerRegistry.fromConfig(config());
    const runner = registry.resolve('a', { runner: 'hello' });
    const signal = new AbortController().signal;
    await expect(
      runParsed(runner, { account: 'a', job: job({ runner: 'hello' }), signal }),
    ).resolves.toBe('Hello, a!');
    const bye = registry.resolve('b', { runner: 'bye' });
    await expect(
      runParsed(bye, { account: 'b', job: job({ runner: 'bye' }), signal }),
    ).resolves.toBe('Bye n1 in g/i1');
  });

  it.each([
    [{}, 'is required'],
    [{ runner: 'bye' }, 'not allowed for account "a" (allowed: hello)'],
    [{ runner: 'ghost' }, '"ghost" is not a configured runner'],
  ])('refuses details %j naming job.details.runner', (details, reason) => {
    const registry = RunnerRegistry.fromConfig(config());
    let error: unknown;
    try {
      registry.parse('a', details as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect((error as Error).message).toContain('job.details.runner');
    expect((error as Error).message).toContain(reason);
  });

  it('refuses a dummy template with an unknown placeholder at startup, naming the key', () => {
    const c = config({
      jobRunners: { hello: { type: 'dummy', config: { template: 'Hi {{.Acount}}' } } },
      accounts: {},
    });
    expect(() => RunnerRegistry.fromConfig(c)).toThrow(RunnerConfigError);
    expect(() => RunnerRegistry.fromConfig(c)).toThrow(
      /jobRunners\.hello\.config: unknown placeholder/,
    );
  });

  it('builds the AWS runner types from the original type names', () => {
    const c = config({
      jobRunners: {
        instanceRunner: { type: 'instance' },
        databaseRunner: { type: 'database', config: {} },
        serviceRunner: { type: 'service' },
        taskRunner: { type: 'task' },
      },
      accounts: {
        a: { runners: ['instanceRunner', 'databaseRunner', 'serviceRunner', 'taskRunner'] },
      },
    });
    const registry = RunnerRegistry.fromConfig(c);
    expect(
      ['instanceRunner', 'databaseRunner', 'serviceRunner', 'taskRunner'].map(
        (n) => registry.get(n)?.type,
      ),
    ).toEqual(['instance', 'database', 'service', 'task']);
  });

  it("refuses the original's runner settings at startup, naming the key and explaining the SDK config", () => {
    const c = config({
      jobRunners: {
        instanceRunner: {
          type: 'instance',
          config: { endpointTemplate: 'http://x/{{.Account}}', token: 'secret-token' },
        },
      },
      accounts: {},
    });
    let message = '';
    try {
      RunnerRegistry.fromConfig(c);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(
      'jobRunners.instanceRunner.config: endpointTemplate, token: not used',
    );
    expect(message).toContain('role_arn');
    expect(message).not.toContain('secret-token');
  });

  it('refuses an unknown runner type at startup, naming the key', () => {
    const c = config({ jobRunners: { x: { type: 'teleport' } }, accounts: {} });
    expect(() => RunnerRegistry.fromConfig(c)).toThrow(
      /jobRunners\.x\.type: unknown runner type "teleport"/,
    );
  });
});

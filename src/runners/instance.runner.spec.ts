import {
  DescribeInstancesCommand,
  EC2Client,
  InstanceStateName,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidFieldError, RunnerError } from '../common/errors';
import { AwsClients } from './aws/aws-clients';
import { ctx, sdkError, runParsed } from '../../test/support/aws-test-helpers';
import { InstanceRunner } from './instance.runner';

const ec2 = mockClient(EC2Client);
const aws = new AwsClients({ acct: { runners: [], region: 'us-east-1' } });
const runner = new InstanceRunner('instanceRunner', undefined, aws);
const ID = 'i-aaaabbbb11112222';
const meta = { $metadata: { requestId: 'req-42' } };
const described = (state: string) => ({
  Reservations: [{ Instances: [{ InstanceId: ID, State: { Name: state as InstanceStateName } }] }],
});

describe('InstanceRunner', () => {
  beforeEach(() => ec2.reset());

  it('starts: StartInstances on the instance, output with previous and current state, request id', async () => {
    ec2.on(StartInstancesCommand).resolves({
      ...meta,
      StartingInstances: [
        { InstanceId: ID, PreviousState: { Name: 'stopped' }, CurrentState: { Name: 'pending' } },
      ],
    });
    const result = await runParsed(
      runner,
      ctx({ runner: 'instanceRunner', instance_action: 'start', instance_id: ID }),
    );
    expect(ec2.commandCalls(StartInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: [ID] },
    ]);
    expect(result).toMatchObject({
      output: `start ${ID}: stopped -> pending`,
      requestId: 'req-42',
      // Not described (the mock answers nothing): the state before is unknown, the action goes on.
      target: { resource: `instance ${ID}`, state: 'running', before: null, already: false },
    });
  });

  it('starting a running instance is a success that says so, with no StartInstances call', async () => {
    ec2.on(DescribeInstancesCommand).resolves(described('running'));
    const result = await runParsed(runner, ctx({ instance_action: 'start', instance_id: ID }));
    expect(result.output).toBe(`start ${ID}: already running`);
    expect(result.target).toMatchObject({ before: 'running', already: true });
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);
  });

  it('a stopped instance is started, and the state before is on the target', async () => {
    ec2.on(DescribeInstancesCommand).resolves(described('stopped'));
    ec2.on(StartInstancesCommand).resolves({ StartingInstances: [] });
    const result = await runParsed(runner, ctx({ instance_action: 'start', instance_id: ID }));
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(1);
    expect(result.target).toMatchObject({ before: 'stopped', state: 'running', already: false });
  });

  it('a role that may not describe still acts (the wait will say it cannot check)', async () => {
    ec2.on(DescribeInstancesCommand).rejects(sdkError('UnauthorizedOperation', 403));
    ec2.on(StopInstancesCommand).resolves({ StoppingInstances: [] });
    const result = await runParsed(runner, ctx({ instance_action: 'stop', instance_id: ID }));
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(result.target).toMatchObject({ before: null, state: 'stopped' });
  });

  it('stops, with Hibernate only when asked', async () => {
    ec2.on(StopInstancesCommand).resolves({
      StoppingInstances: [
        { InstanceId: ID, PreviousState: { Name: 'running' }, CurrentState: { Name: 'stopping' } },
      ],
    });
    await runParsed(runner, ctx({ instance_action: 'stop', instance_id: ID }));
    await runParsed(runner, ctx({ instance_action: 'stop', instance_id: ID, hibernate: 'true' }));
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: [ID] },
      { InstanceIds: [ID], Hibernate: true },
    ]);
  });

  it('reboots', async () => {
    ec2.on(RebootInstancesCommand).resolves(meta);
    const result = await runParsed(runner, ctx({ instance_action: 'reboot', instance_id: ID }));
    expect(ec2.commandCalls(RebootInstancesCommand)[0].args[0].input).toEqual({
      InstanceIds: [ID],
    });
    expect(result).toMatchObject({
      output: `reboot of ${ID} requested`,
      requestId: 'req-42',
      target: { state: 'running', already: false },
    });
  });

  it.each([
    [{ instance_id: ID }, 'job.details.instance_action', 'start, stop, reboot'],
    [
      { instance_action: 'terminate', instance_id: ID },
      'job.details.instance_action',
      'start, stop, reboot',
    ],
    [{ instance_action: 'start' }, 'job.details.instance_id', 'is required'],
    [
      { instance_action: 'start', instance_id: 'server-1' },
      'job.details.instance_id',
      'i-0123456789abcdef0',
    ],
    [
      { instance_action: 'stop', instance_id: ID, hibernate: 'yes' },
      'job.details.hibernate',
      'true, false',
    ],
    [
      { instance_action: 'start', instance_id: ID, hibernate: 'true' },
      'job.details.instance_action',
      'stop',
    ],
  ])('validate(%j) names %s', (details, field, allowed) => {
    const error = (() => {
      try {
        runner.parseDetails(details);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect(error?.message).toContain(field);
    expect(error?.message).toContain(allowed);
  });

  it('an unknown action at run time fails without calling AWS', async () => {
    await expect(
      runParsed(runner, ctx({ instance_action: 'explode', instance_id: ID })),
    ).rejects.toBeInstanceOf(InvalidFieldError);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('UnauthorizedOperation is permanent and names the account', async () => {
    ec2.on(StartInstancesCommand).rejects(sdkError('UnauthorizedOperation', 403));
    const error = await runParsed(runner, ctx({ instance_action: 'start', instance_id: ID })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('account "acct" via the default credential chain');
    expect(error.requestId).toBe('req-UnauthorizedOperation');
  });

  it('throttling is retryable', async () => {
    ec2.on(StopInstancesCommand).rejects(sdkError('RequestLimitExceeded', 503));
    const error = await runParsed(runner, ctx({ instance_action: 'stop', instance_id: ID })).catch(
      (e) => e,
    );
    expect(error.permanent).toBe(false);
  });

  it('refuses the original runner settings at startup, explaining the SDK-based config', () => {
    expect(
      () =>
        new InstanceRunner(
          'r',
          { endpointTemplate: 'http://ec2-api/{{.Account}}', token: 'x' },
          aws,
        ),
    ).toThrow(/endpointTemplate, token: not used.*AWS SDK.*region.*role_arn/);
  });
});

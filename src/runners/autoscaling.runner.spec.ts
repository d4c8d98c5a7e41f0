import {
  AutoScalingClient,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidFieldError, RunnerError } from '../common/errors';
import { AwsClients } from './aws/aws-clients';
import { ctx, runParsed, sdkError } from '../../test/support/aws-test-helpers';
import { AutoScalingRunner } from './autoscaling.runner';

const asg = mockClient(AutoScalingClient);
const runner = new AutoScalingRunner(
  'autoScalingRunner',
  undefined,
  new AwsClients({ acct: { runners: [], region: 'us-east-1' } }),
);
const meta = { $metadata: { requestId: 'req-7' } };
const scale = (extra: Record<string, string> = {}) => ({
  autoscaling_action: 'scale',
  group_name: 'web-asg',
  desired_capacity: '0',
  ...extra,
});

describe('AutoScalingRunner', () => {
  beforeEach(() => asg.reset());

  it('scales: UpdateAutoScalingGroup with the desired capacity, and min/max only when given', async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves(meta);
    const first = await runParsed(runner, ctx(scale()));
    const second = await runParsed(
      runner,
      ctx(scale({ desired_capacity: '3', min_size: '1', max_size: '6' })),
    );
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web-asg', DesiredCapacity: 0 },
      { AutoScalingGroupName: 'web-asg', DesiredCapacity: 3, MinSize: 1, MaxSize: 6 },
    ]);
    expect(first).toMatchObject({
      output: 'scaled web-asg to 0',
      requestId: 'req-7',
      target: { resource: 'group web-asg', state: '0 in service', already: false },
    });
    expect(second.output).toBe('scaled web-asg to 3 (min 1, max 6)');
  });

  it('suspends and resumes the processes named, or all of them', async () => {
    asg.on(SuspendProcessesCommand).resolves(meta);
    asg.on(ResumeProcessesCommand).resolves(meta);
    const suspended = await runParsed(
      runner,
      ctx({ autoscaling_action: 'suspend', group_name: 'web-asg', processes: 'Launch, Terminate' }),
    );
    const resumed = await runParsed(
      runner,
      ctx({ autoscaling_action: 'resume', group_name: 'web-asg' }),
    );
    expect(asg.commandCalls(SuspendProcessesCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: 'web-asg',
      ScalingProcesses: ['Launch', 'Terminate'],
    });
    expect(asg.commandCalls(ResumeProcessesCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: 'web-asg',
    });
    expect(suspended.output).toBe('suspended Launch, Terminate of web-asg');
    expect(resumed.output).toBe('resumed all processes of web-asg');
  });

  it.each([
    [{ autoscaling_action: 'stop', group_name: 'g' }, 'job.details.autoscaling_action'],
    [{ autoscaling_action: 'scale', desired_capacity: '1' }, 'job.details.group_name'],
    [{ autoscaling_action: 'scale', group_name: 'g' }, 'job.details.desired_capacity'],
    [scale({ desired_capacity: '-1' }), 'job.details.desired_capacity'],
    [scale({ desired_capacity: '2', min_size: '3' }), 'job.details.min_size'],
    [scale({ desired_capacity: '2', max_size: '1' }), 'job.details.max_size'],
    [scale({ max_size: 'lots' }), 'job.details.max_size'],
    [
      { autoscaling_action: 'suspend', group_name: 'g', processes: 'Launch,Sleep' },
      'job.details.processes',
    ],
    [{ autoscaling_action: 'resume', group_name: 'bad\nname' }, 'job.details.group_name'],
  ])('refuses %j at create time, naming %s', (details, field) => {
    expect(() => runner.parseDetails(details as Record<string, string>)).toThrow(InvalidFieldError);
    try {
      runner.parseDetails(details as Record<string, string>);
    } catch (err) {
      expect((err as InvalidFieldError).field).toBe(field);
    }
  });

  it('retries a scaling activity in progress; a missing group fails for good', async () => {
    asg
      .on(UpdateAutoScalingGroupCommand)
      .rejectsOnce(sdkError('ScalingActivityInProgressFault', 400));
    const busy = await runParsed(runner, ctx(scale())).catch((e: RunnerError) => e);
    expect(busy).toBeInstanceOf(RunnerError);
    expect((busy as RunnerError).permanent).toBe(false);
    asg.reset();
    asg
      .on(UpdateAutoScalingGroupCommand)
      .rejectsOnce(sdkError('ValidationError', 400, 'AutoScalingGroup name not found'));
    const missing = (await runParsed(runner, ctx(scale())).catch(
      (e: RunnerError) => e,
    )) as RunnerError;
    expect(missing.permanent).toBe(true);
    expect(missing.message).toContain('Auto Scaling scale of web-asg failed');
    expect(missing.requestId).toBe('req-ValidationError');
  });
});

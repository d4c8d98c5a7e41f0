import { AwsClients } from './aws/aws-clients';
import { AutoScalingRunner } from './autoscaling.runner';
import { DatabaseRunner } from './database.runner';
import { DummyRunner } from './dummy.runner';
import { InstanceRunner } from './instance.runner';
import { Runner } from './runner';
import { ServiceRunner } from './service.runner';
import { TaskRunner } from './task.runner';

const aws = new AwsClients({});
const actsOn = (runner: Runner, details: Record<string, string>) =>
  runner.actsOn(runner.parseDetails(details));

/** Each runner says which resource its jobs act on and how: the schedule view's conflicts use it. */
describe('Runner.actsOn', () => {
  it.each([
    [
      new InstanceRunner('i', {}, aws),
      { instance_id: 'i-0abcdef12', instance_action: 'stop' },
      { resource: 'instance:i-0abcdef12', action: 'stop' },
    ],
    [
      new DatabaseRunner('d', {}, aws),
      { instance_id: 'db1', database_action: 'start' },
      { resource: 'database:db1', action: 'start' },
    ],
    [
      new ServiceRunner('s', {}, aws),
      { service_action: 'scale', service_cluster: 'c', service_name: 'web', desired_count: '0' },
      { resource: 'service:c/web', action: 'scale to 0' },
    ],
    [
      new AutoScalingRunner('a', {}, aws),
      { group_name: 'asg', autoscaling_action: 'scale', desired_capacity: '3' },
      { resource: 'group:asg', action: 'scale to 3' },
    ],
    [
      new AutoScalingRunner('a', {}, aws),
      { group_name: 'asg', autoscaling_action: 'suspend' },
      { resource: 'group:asg', action: 'suspend all processes' },
    ],
    [
      new AutoScalingRunner('a', {}, aws),
      { group_name: 'asg', autoscaling_action: 'suspend', processes: 'Launch, Terminate' },
      { resource: 'group:asg', action: 'suspend Launch,Terminate' },
    ],
    [new TaskRunner('t', {}, aws), { task_action: 'run', task_cluster: 'c', task_name: 't' }, null],
    [new DummyRunner('x'), {}, null],
  ])('%s %j', (runner, details, expected) => {
    expect(actsOn(runner, details as Record<string, string>)).toEqual(expected);
  });
});

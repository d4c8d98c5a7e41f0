import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2Fleet } from './ec2-fleet';
import { Pacing } from './pacing';
import { parseTagSelector } from './tag-selector';

const selector = parseTagSelector({ tag_selector: 'Schedule=office-hours' })!;
const ops = (action: 'start' | 'stop' | 'reboot') =>
  ec2Fleet({} as EC2Client, new Pacing({}), 'a', selector, action, 50);

describe('ec2Fleet: what an instance state means for each action', () => {
  it.each([
    ['start', 'running', true, false],
    ['start', 'pending', false, true],
    ['start', 'stopping', false, false],
    ['stop', 'stopped', true, false],
    ['stop', 'stopping', false, true],
    ['stop', 'pending', false, false],
    ['reboot', 'running', false, false],
  ] as const)('%s of an instance %s: there already %s, on its way %s', (action, state, at, way) => {
    const fleet = ops(action);
    expect(fleet.isAt(state, 'i-1')).toBe(at);
    expect(fleet.onTheWay?.(state, 'i-1')).toBe(way);
  });

  it('judges a described state while waiting: reached, pending, or gone elsewhere', () => {
    const stop = ops('stop');
    expect(stop.judge('stopped', 'i-1')).toBe('reached');
    expect(stop.judge('stopping', 'i-1')).toBe('pending');
    expect(stop.judge('terminated', 'i-1')).toBe('elsewhere');
  });
});

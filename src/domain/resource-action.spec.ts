import { Acting, findConflicts } from './resource-action';

describe('findConflicts', () => {
  const at = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00Z`);
  const acting = (
    index: number,
    time: string,
    job: string,
    resource: string,
    action: string,
  ): Acting => ({
    index,
    at: at(time),
    job,
    what: { resource, action },
  });

  it('flags different actions on one resource by different jobs within the window, both ways', () => {
    const entries = [
      acting(0, '17:59', 'a/start', 'instance:i-1', 'start'),
      acting(1, '18:00', 'b/stop', 'instance:i-1', 'stop'),
      acting(2, '18:00', 'c/stop', 'instance:i-2', 'stop'),
      acting(3, '19:00', 'a/start', 'instance:i-1', 'start'),
    ];
    const conflicts = findConflicts(entries, 5 * 60_000);
    expect([...conflicts.entries()].sort()).toEqual([
      [0, [1]],
      [1, [0]],
    ]);
  });

  it('the same action, the same job, or outside the window is no conflict', () => {
    const entries = [
      acting(0, '18:00', 'a/x', 'service:c/web', 'scale to 0'),
      acting(1, '18:01', 'b/y', 'service:c/web', 'scale to 0'),
      acting(2, '18:02', 'a/x', 'service:c/web', 'scale to 3'),
      acting(3, '18:30', 'c/z', 'service:c/web', 'scale to 5'),
    ];
    const conflicts = findConflicts(entries, 5 * 60_000);
    expect(conflicts.get(3)).toBeUndefined();
    // a/x at 18:02 (scale to 3) against b/y at 18:01 (scale to 0): different jobs, different counts.
    expect(conflicts.get(2)).toEqual([1]);
    expect(conflicts.get(0)).toBeUndefined();
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileScheduleMarker } from './file-schedule-marker';

describe('FileScheduleMarker', () => {
  it('persists the last scheduled minute across instances and never moves backwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minion-marker-'));
    try {
      const a = new FileScheduleMarker(dir, 'org');
      expect(await a.get()).toBeNull();
      await a.advance(Date.parse('2026-01-05T10:01:00Z'));
      await a.advance(Date.parse('2026-01-05T10:00:00Z'));
      const b = new FileScheduleMarker(dir, 'org');
      expect(await b.get()).toBe(Date.parse('2026-01-05T10:01:00Z'));
      expect(JSON.parse(readFileSync(join(dir, '.scheduler', 'org.json'), 'utf8'))).toEqual({
        last_scheduled_minute: '2026-01-05T10:01:00Z',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

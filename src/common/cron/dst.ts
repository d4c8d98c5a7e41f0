import { rfc3339 } from '../clock';
import { CronSchedule } from './cron-schedule';

export type DstFlag = 'gap' | 'overlap' | null;

export interface FireTimeView {
  utc: string;
  /** Wall-clock time in the job's zone with its offset, e.g. 2026-03-08T03:30:00-04:00 */
  local: string;
  dst: DstFlag;
  note?: string;
}

const HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset of `tz` at `instant`, in minutes (east positive). */
export function offsetMinutes(tz: string, instant: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    formatters.set(tz, f);
  }
  const name = f.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The wall-clock reading at `instant`, expressed as if it were a UTC epoch. */
function wall(tz: string, instant: number): number {
  return instant + offsetMinutes(tz, instant) * 60_000;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function hhmm(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(11, 16);
}

/**
 * Describes one fire time in the job's zone and flags daylight-saving edge cases:
 * - `overlap`: the wall time happens twice that day (clocks go back); the job runs once, at the
 *   instant shown.
 * - `gap`: the wall time the expression asks for does not exist that day (clocks go forward);
 *   cron-parser runs the job at the equivalent later wall time shown instead.
 */
export function describeFireTime(instant: Date, schedule: CronSchedule): FireTimeView {
  const tz = schedule.timezone;
  const t = instant.getTime();
  const offset = offsetMinutes(tz, t);
  const w = t + offset * 60_000;
  const view: FireTimeView = {
    utc: rfc3339(instant),
    local: `${new Date(w).toISOString().slice(0, 19)}${formatOffset(offset)}`,
    dst: null,
  };
  const before = offsetMinutes(tz, t - 3 * HOUR);
  const after = offsetMinutes(tz, t + 3 * HOUR);

  if (before !== after) {
    const candidates = [w - before * 60_000, w - after * 60_000];
    if (candidates[0] !== candidates[1] && candidates.every((u) => wall(tz, u) === w)) {
      // Walking fire times in order (as the scheduler does), does the second pass follow the first?
      const [first, second] = [...candidates].sort((a, b) => a - b);
      const both = schedule.nextAfter(first)?.getTime() === second;
      view.dst = 'overlap';
      view.note = both
        ? `${hhmm(w)} happens twice on this day (clocks go back); the job runs at both, this is the one at ${view.utc}`
        : `${hhmm(w)} happens twice on this day (clocks go back); the job runs only once, at ${view.utc}`;
      return view;
    }
  }
  // An @every grid is made of instants: the wall clock cannot skip any of them.
  if (before < offset && !schedule.isInterval) {
    const nominal = w - (offset - before) * 60_000;
    const exists = [before, offset].some((off) => wall(tz, nominal - off * 60_000) === nominal);
    const naive = CronSchedule.parse(schedule.expression, 'UTC');
    const matches = (wallMs: number) => naive.nextAfter(wallMs - 1)?.getTime() === wallMs;
    if (!exists && matches(nominal) && !matches(w)) {
      view.dst = 'gap';
      view.note = `${hhmm(nominal)} does not exist on this day (clocks go forward); minion runs at ${hhmm(w)} local instead`;
    }
  }
  return view;
}

import cronstrue from 'cronstrue';

/** A time as the operator reads it: their browser's zone, with the zone named. */
export function localTime(iso: string, withSeconds = false): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    timeZoneName: 'short',
  });
}

/** `07:15` today, `Tue 07:15` another day. */
export function shortTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = clockTime(iso);
  return dayKey(d) === dayKey(now)
    ? time
    : `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
}

export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** `in 4m 05s`, `in 2h 03m`, `in 3d 4h`, `now`, `5m ago`. */
export function countdown(targetMs: number, nowMs: number): string {
  const diff = targetMs - nowMs;
  const s = Math.floor(Math.abs(diff) / 1000);
  if (s === 0) return 'now';
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const text =
    d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(sec)}s` : `${sec}s`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** The schedule in words (cronstrue); the expression itself when cronstrue cannot read it. */
export function scheduleInWords(expression: string): string {
  const every = /^@every\s+(\S+)$/.exec(expression.trim());
  if (every) return `Every ${every[1]}`;
  try {
    return cronstrue.toString(expression, {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    return expression;
  }
}

/** The value of a `datetime-local` input as RFC 3339 (UTC). */
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}

/** `YYYY-MM-DDTHH:mm` in local time, for a `datetime-local` input. */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Next Monday 08:00 local time (a week from today when today is Monday). */
export function nextMonday(now: Date): Date {
  const d = new Date(now);
  d.setHours(8, 0, 0, 0);
  const days = (8 - d.getDay()) % 7 || 7;
  d.setDate(d.getDate() + days);
  return d;
}

/** Monday 00:00 local time of the week holding `d`. */
export function weekStart(d: Date): Date {
  const m = new Date(d);
  m.setHours(0, 0, 0, 0);
  m.setDate(m.getDate() - ((m.getDay() + 6) % 7));
  return m;
}

export function dayKey(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

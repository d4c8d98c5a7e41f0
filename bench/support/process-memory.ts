import { readFileSync } from 'node:fs';

/** Resident set size and its peak of a child process, in MiB, from /proc (outside the process). */
export function rss(pid: number | undefined): { rssMiB: number; peakMiB: number } {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

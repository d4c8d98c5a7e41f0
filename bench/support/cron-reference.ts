/**
 * The reference for bench:app: what one `cron` timer per job achieves (the `cron` package, as
 * hand-rolled Node schedulers use it), in its own process. Env: JOBS, MINUTES. Prints one JSON
 * line per minute: {minute, fired, lastMs, p50Ms} (lag from the boundary to each callback).
 */
import { CronJob } from 'cron';

const JOBS = Number(process.env.JOBS ?? 10_000);
const MINUTES = Number(process.env.MINUTES ?? 2);
const lags = new Map<number, number[]>();

for (let i = 0; i < JOBS; i++) {
  CronJob.from({
    cronTime: '* * * * *',
    start: true,
    onTick: () => {
      const now = Date.now();
      const boundary = Math.floor(now / 60_000) * 60_000;
      const list = lags.get(boundary) ?? [];
      list.push(now - boundary);
      lags.set(boundary, list);
    },
  });
}
process.stdout.write(JSON.stringify({ ready: true }) + '\n');

const end = (Math.floor(Date.now() / 60_000) + MINUTES + 1) * 60_000 + 10_000;
setTimeout(() => {
  for (const [minute, list] of [...lags.entries()].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a - b);
    process.stdout.write(
      JSON.stringify({
        minute: new Date(minute).toISOString(),
        fired: list.length,
        lastMs: list[list.length - 1],
        p50Ms: list[Math.floor(list.length / 2)],
      }) + '\n',
    );
  }
  process.exit(0);
}, end - Date.now());

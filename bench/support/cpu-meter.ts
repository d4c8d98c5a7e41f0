import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import Redis from 'ioredis';

/** CPU time (user + system) a process used so far, in s, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The whole machine's CPU time so far, busy and all, in clock ticks (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = ticks.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const s = (f: string) => Number(new RegExp(`${f}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return s('used_cpu_sys') + s('used_cpu_user');
}

export interface CpuMark {
  at: number;
  machine: { busy: number; total: number };
  processes: number[];
  redis: number;
}

/** CPU used over a window: by each process, by the Redis server (INFO cpu), and its length. */
export interface CpuUse {
  windowS: number;
  processesS: number[];
  redisS: number;
  /** Share of the machine's CPU time that was busy, every process's (other sessions' too). */
  machineBusy: number;
}

export async function cpuMark(redis: Redis, pids: (number | undefined)[]): Promise<CpuMark> {
  return {
    at: Date.now(),
    machine: machineTicks(),
    processes: pids.map(cpuSeconds),
    redis: await redisCpuSeconds(redis),
  };
}

export async function cpuSince(
  mark: CpuMark,
  redis: Redis,
  pids: (number | undefined)[],
): Promise<CpuUse> {
  const now = await cpuMark(redis, pids);
  return {
    windowS: (now.at - mark.at) / 1000,
    processesS: now.processes.map((s, i) => s - mark.processes[i]),
    redisS: now.redis - mark.redis,
    machineBusy:
      (now.machine.busy - mark.machine.busy) / (now.machine.total - mark.machine.total || 1),
  };
}

/** `processes 12.0/11.5/8.1 s + Redis 30.2 s = 61.8 s in a 47.6 s window: 65% of 2 cores (...)` */
export function cpuLine(u: CpuUse): string {
  const total = u.processesS.reduce((a, b) => a + b, 0) + u.redisS;
  const share = (100 * total) / (u.windowS * cpus().length);
  return (
    `processes ${u.processesS.map((s) => s.toFixed(1)).join('/')} s + Redis ` +
    `${u.redisS.toFixed(1)} s = ${total.toFixed(1)} s in a ${u.windowS.toFixed(1)} s window: ` +
    `${share.toFixed(0)}% of ${cpus().length} cores (machine busy ${(100 * u.machineBusy).toFixed(0)}%)`
  );
}

/**
 * Top self-time functions of a `node --cpu-prof` profile (what docs/benchmarks.md quotes):
 *
 *     node dist-bench/bench/support/profile-summary.js FILE.cpuprofile [TOP=15] [WITHIN | FROM_MS LENGTH_MS]
 *
 * Self time by function (name, file and line), summed over the profile's nodes, as a share of
 * the busy time (sampled time less `(idle)`, the time the process waited, reported apart).
 * WITHIN (function names, comma-separated, e.g. `loadOnce,start`): only the samples from the
 * first to the last whose stack holds one of them (a startup profile's cache load, without the
 * module loading before it; GC and other work in that span are counted too).
 * FROM_MS LENGTH_MS: only the samples from FROM_MS after the profile's start, for LENGTH_MS (the
 * second after a minute boundary, which bench:app prints with BENCH_CPU_PROF).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Indexes of the first and last samples whose stack holds one of `names`. */
function span(profile: Profile, byId: Map<number, ProfileNode>, names: string[]): [number, number] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const holds = (id: number | undefined): boolean => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (names.includes(byId.get(at)!.callFrame.functionName)) return true;
    }
    return false;
  };
  let first = -1;
  let last = -1;
  profile.samples.forEach((id, i) => {
    if (!holds(id)) return;
    if (first < 0) first = i;
    last = i;
  });
  return [first, last];
}

export function summarize(
  file: string,
  top = 15,
  within?: string,
  window?: { fromMs: number; lengthMs: number },
): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const [first, last] = within
    ? span(profile, byId, within.split(','))
    : [0, profile.samples.length - 1];
  const self = new Map<string, number>();
  let total = 0;
  let at = 0;
  const from = (window?.fromMs ?? 0) * 1000;
  const to = window ? from + window.lengthMs * 1000 : Infinity;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (i < first || i > last || at < from || at >= to) return;
    total += dt;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? ` ${basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  const idle = self.get('(idle)') ?? 0;
  self.delete('(idle)');
  const busy = total - idle;
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${basename(file)}: ${(busy / 1000).toFixed(0)} ms busy (${(idle / 1000).toFixed(0)} ms idle)`,
    ...rows.map(
      ([name, us]) =>
        `  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`,
    ),
  ].join('\n');
}

if (require.main === module) {
  const [file, top, scope, lengthMs] = process.argv.slice(2);
  // A number names a time window (FROM_MS LENGTH_MS), anything else function names.
  const numeric = scope !== undefined && /^\d+$/.test(scope);
  const window = numeric
    ? { fromMs: Number(scope), lengthMs: Number(lengthMs ?? 1000) }
    : undefined;
  console.log(summarize(file, Number(top ?? 15), numeric ? undefined : scope, window));
}

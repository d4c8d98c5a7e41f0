import { resolve } from 'node:path';
import { BuiltApp, BuiltAppOptions, startBuiltApp, whenReady } from '../../test/support/built-app';

/** The built app (`npm run build`), started as a user starts it: `node dist/main.js -config FILE`. */
export type RealApp = BuiltApp;
export { whenReady };

/** dist/main.js, seen from dist-bench/bench/support once the benchmarks are compiled. */
const MAIN = resolve(__dirname, '..', '..', '..', 'dist', 'main.js');

/**
 * Starts `dist/main.js` on a config (org `bench`, port chosen by the system) with its data dir in
 * a temp folder (or `dataDir`), and resolves once it logs where it listens.
 */
export function startRealApp(
  config: Record<string, unknown>,
  options: Omit<BuiltAppOptions, 'org'> = {},
): Promise<RealApp> {
  // Every interface, as the benchmarks always listened.
  return startBuiltApp(MAIN, { listenAddress: '0.0.0.0:0', ...config }, options);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resolves at epoch millisecond `t` (at once when it has passed). */
export const sleepUntil = (t: number) =>
  new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** The next whole minute after `t`. */
export const nextBoundary = (t: number) => (Math.floor(t / 60_000) + 1) * 60_000;

import { BuiltApp } from '../../support/built-app';

/** The short form (`CHAOS_SHORT=1`, what CI runs): scaled-down outages. */
export const CHAOS_SHORT = process.env.CHAOS_SHORT === '1';

/** The API token of the storage scenarios' configs. */
export const CHAOS_TOKEN = 'storage-chaos-token-0123456789';

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  /** How long the answer took. */
  ms: number;
}

/** One API call to a minion started from dist/main.js (JSON in, JSON or text out). */
export async function call(
  app: Pick<BuiltApp, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...headers,
      'X-Auth-Token': CHAOS_TOKEN,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text answer ("OK")
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started };
}

/** The sum of a metric's samples matching `labels` (0 when absent), from GET /metrics. */
export async function metric(
  app: Pick<BuiltApp, 'url'>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`));
    if (has) sum += Number(m[3]);
  }
  return sum;
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - started;
}

/** Prints a scenario's counts in one block, so the suite's output shows them. */
export function printCounts(scenario: string, counts: Record<string, unknown>): void {
  const lines = Object.entries(counts).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  process.stdout.write(`\n[chaos] ${scenario}\n${lines.join('\n')}\n`);
}

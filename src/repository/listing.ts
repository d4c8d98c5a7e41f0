import { ListPage } from './jobs.repository';

/**
 * Code-point order, which is also UTF-8 byte order: the order S3 lists keys in. Compared on
 * UTF-16 units without allocating: the two orders differ only where a surrogate (a code point
 * above U+FFFF) meets a unit in U+E000..U+FFFF, and then the surrogate sorts after.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts names in listing order and keeps one page of them. */
export function pageOf(names: string[], page: ListPage = {}): string[] {
  const sorted = names.sort(compareCodePoints);
  const from =
    page.startAfter === undefined
      ? 0
      : sorted.findIndex((n) => compareCodePoints(n, page.startAfter as string) > 0);
  if (from < 0) return [];
  return page.limit === undefined ? sorted.slice(from) : sorted.slice(from, from + page.limit);
}

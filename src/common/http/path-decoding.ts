/** Which route parameter each path segment is, after the API prefix, by the second segment. */
const SEGMENT_NAMES: Record<string, string[]> = {
  jobs: ['account', 'jobs', 'group', 'id'],
  calendars: ['account', 'calendars', 'name'],
};

/**
 * The route parameter a path's malformed percent-encoding (`%zz`, `%`, overlong UTF-8 such as
 * `%c0%ae`) is in, so the 400 can name it; null when the path decodes. Fastify's router refuses
 * such a path before any route or hook sees it (http-platform.ts answers).
 */
export function malformedSegment(url: string, prefix: string): string | null {
  const root = `/${prefix}/`.toLowerCase();
  const path = url.split('?')[0];
  // Paths match whatever their case (http-platform.ts).
  if (!path.includes('%') || path.slice(0, root.length).toLowerCase() !== root) return null;
  const segments = path.slice(root.length).split('/');
  const names = SEGMENT_NAMES[(segments[1] ?? '').toLowerCase()] ?? ['account'];
  for (const [i, segment] of segments.entries()) {
    try {
      decodeURIComponent(segment);
    } catch {
      return names[i] ?? 'path';
    }
  }
  return null;
}

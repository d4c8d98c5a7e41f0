import { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from './error-response.dto';

/** Which route parameter each path segment is, after the API prefix, by the second segment. */
const SEGMENT_NAMES: Record<string, string[]> = {
  jobs: ['account', 'jobs', 'group', 'id'],
  calendars: ['account', 'calendars', 'name'],
};

/**
 * Refuses malformed percent-encoding in the path (`%zz`, `%`, overlong UTF-8 such as `%c0%ae`)
 * with a 400 that names the parameter, before Express's router fails on it with a message that
 * names only the raw value.
 */
export function pathDecoding(prefix: string): RequestHandler {
  const root = `/${prefix}/`;
  return (req: Request, res: Response, next: NextFunction) => {
    // Nothing percent-encoded, nothing to check (most requests).
    if (!req.url.includes('%')) return next();
    const path = req.path;
    if (!path.startsWith(root)) return next();
    const segments = path.slice(root.length).split('/');
    const names = SEGMENT_NAMES[segments[1] ?? ''] ?? ['account'];
    for (const [i, segment] of segments.entries()) {
      try {
        decodeURIComponent(segment);
      } catch {
        const name = names[i] ?? 'path';
        res.status(400).json(errorBody(400, `${name}: malformed percent-encoding in the path`));
        return;
      }
    }
    next();
  };
}

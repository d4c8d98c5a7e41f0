import type { Redis } from 'ioredis';

/** The one policy under which Redis never drops a key to make room: queue keys must never go. */
export const SAFE_POLICY = 'noeviction';

/**
 * The node's `maxmemory-policy`: `CONFIG GET`, else (managed Redis such as ElastiCache renames
 * or forbids CONFIG) the `maxmemory_policy` line of `INFO memory`; null when neither answers.
 */
export async function evictionPolicy(node: Redis): Promise<string | null> {
  try {
    const reply = (await node.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch {
    // Refused (renamed command, ACL without +config): INFO usually still answers.
  }
  try {
    const info = await node.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Why minion refuses a node with this policy, and the fix; null for `noeviction`. */
export function evictionProblem(policy: string, where: string): string | null {
  if (policy === SAFE_POLICY) return null;
  return (
    `${where} has maxmemory-policy ${policy}: when its memory is full it deletes keys, and ` +
    "minion's queue, locks and claims would vanish (occurrences lost or run twice). Set " +
    'maxmemory-policy noeviction (redis.conf, CONFIG SET maxmemory-policy noeviction, or the ' +
    'parameter group of a managed Redis) and give Redis the memory it needs'
  );
}

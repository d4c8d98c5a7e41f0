import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connections';

/**
 * A Lua script sent by its SHA (EVALSHA), its body only when Redis does not know it yet
 * (NOSCRIPT: first use, or Redis restarted): minion calls its scripts for every
 * occurrence, and EVAL sends the whole body each time (and Redis hashes it each time).
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

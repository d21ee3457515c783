/**
 * The audit anchor in Redis, shared by every instance: a hash under `CACHE_KEY_PREFIX` +
 * `audit:anchor`. Instances race to advance it, so the compare-and-set is one Lua script: the
 * stored anchor is replaced only by one naming a later seq, never moved back by a slower instance.
 */
import type { Redis } from 'ioredis';
import { parseAnchor, type AuditAnchor, type AuditAnchorStore } from './audit-anchor.ts';

export const AUDIT_ANCHOR_KEY = 'audit:anchor';

const ADVANCE = `
local current = tonumber(redis.call('HGET', KEYS[1], 'seq'))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'hash', ARGV[2], 'at', ARGV[3])
return 1
`;

interface AnchorCommands {
  watchkeeperAdvanceAuditAnchor(key: string, seq: string, hash: string, at: string): Promise<number>;
}

export function redisAnchorStore({
  client,
  keyPrefix = '',
}: {
  /** The live client (the cache may replace it), or undefined when there is none. */
  client: () => Redis | undefined;
  /** Only for messages: the client adds its own key prefix to every key. */
  keyPrefix?: string;
}): AuditAnchorStore {
  const location = `redis key ${keyPrefix}${AUDIT_ANCHOR_KEY}`;
  const defined = new WeakSet<Redis>();

  function connected(): Redis {
    const redis = client();
    if (!redis) throw new Error('Redis is not configured');
    return redis;
  }

  return {
    source: 'redis',
    location,

    async read() {
      const fields = await connected().hgetall(AUDIT_ANCHOR_KEY);
      if (Object.keys(fields).length === 0) return undefined;
      return parseAnchor(fields, location);
    },

    async advance(anchor: AuditAnchor) {
      const redis = connected();
      if (!defined.has(redis)) {
        // EVALSHA, falling back to EVAL once per connection; the key gets the client's prefix.
        redis.defineCommand('watchkeeperAdvanceAuditAnchor', { numberOfKeys: 1, lua: ADVANCE });
        defined.add(redis);
      }
      const replaced = await (redis as unknown as AnchorCommands).watchkeeperAdvanceAuditAnchor(AUDIT_ANCHOR_KEY, String(anchor.seq), anchor.hash, anchor.at);
      return replaced === 1;
    },
  };
}

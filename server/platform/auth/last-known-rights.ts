/**
 * The rights a signed-in user was last seen with, kept in the cache so that reads — Watchkeeper's
 * own status pages above all — keep working for signed-in users while PostgreSQL is unreachable,
 * which is exactly when they are needed.
 *
 * authenticate.ts uses them only then: for a safe method (GET, HEAD), when loading the user from
 * the database failed because it is unavailable, and for a session found in the cache that awaits
 * no rotation. Privilege changes flag the user's sessions for rotation and disabling deletes them,
 * both also dropping the cached sessions, so neither survives into this path; what remains is a
 * change made within the refresh interval, bounded by the entry's lifetime.
 */
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../infra/cache/index.ts';
import type { MembershipGrant } from './membership-repository.ts';

export interface KnownRights {
  user: { id: string; email: string };
  grants: MembershipGrant[];
}

type Stored = { email: string; grants: Array<Omit<MembershipGrant, 'createdAt'> & { createdAt: string }> };

const keyOf = (userId: string) => `auth:rights:${userId}`;

export interface LastKnownRightsOptions {
  cache: Cache;
  /** How long remembered rights may serve (default 10 minutes). */
  ttlMs?: number;
  /** Each instance rewrites a user's entry at most this often (default 1 minute). */
  refreshMs?: number;
}

export function createLastKnownRights({ cache, ttlMs = 10 * 60_000, refreshMs = 60_000 }: LastKnownRightsOptions) {
  const recentlyWritten = new LRUCache<string, true>({ max: 10_000, ttl: refreshMs });
  return {
    /** Called after every successful load from the database; cheap when called again soon. */
    async remember({ user, grants }: KnownRights): Promise<void> {
      if (recentlyWritten.has(user.id)) return;
      recentlyWritten.set(user.id, true);
      const stored: Stored = { email: user.email, grants: grants.map((g) => ({ ...g, createdAt: g.createdAt.toISOString() })) };
      await cache.set(keyOf(user.id), stored, { ttlMs }).catch(() => undefined);
    },

    async recall(userId: string): Promise<KnownRights | undefined> {
      const stored = await cache.get<Stored>(keyOf(userId)).catch(() => undefined);
      if (!stored) return undefined;
      return { user: { id: userId, email: stored.email }, grants: stored.grants.map((g) => ({ ...g, createdAt: new Date(g.createdAt) })) };
    },
  };
}

export type LastKnownRights = ReturnType<typeof createLastKnownRights>;

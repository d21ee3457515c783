/**
 * The rights a signed-in user, or an API key, was last seen with, kept in the cache so that
 * reads — Watchkeeper's own status pages above all — keep working while PostgreSQL is
 * unreachable, which is exactly when they are needed.
 *
 * authenticate.ts uses them only then: for a safe method (GET, HEAD), when loading the user from
 * the database failed because it is unavailable, and for a session found in the cache that awaits
 * no rotation. Privilege changes flag the user's sessions for rotation and disabling deletes them,
 * both also dropping the cached sessions and raising the user's session version; a cached session
 * older than the version remembered here gets no fallback, so a change the cache could not be told
 * about does not survive into this path either. What remains is a change made within the refresh
 * interval, bounded by the entry's lifetime. An API key is known by
 * the SHA-256 of its secret (as the database knows it); revoking it drops the entry, and expiry is
 * checked again on recall.
 */
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../infra/cache/index.ts';
import type { Permission } from '../../../contracts/permissions.ts';
import type { MembershipGrant } from './membership-repository.ts';

export interface KnownRights {
  user: { id: string; email: string };
  grants: MembershipGrant[];
  /** The user's session_version when these rights were read: older cached sessions get no fallback. */
  sessionVersion?: number;
}

type Stored = { email: string; grants: Array<Omit<MembershipGrant, 'createdAt'> & { createdAt: string }>; sessionVersion?: number };

/** What an API key may do, as authentication resolved it (scopes already narrowed to its creator's). */
export interface KnownKey {
  apiKeyId: string;
  keyPrefix: string;
  organizationId: string;
  projectId: string | null;
  scopes: Permission[];
  /** Epoch milliseconds; null for a key that does not expire. */
  expiresAt: number | null;
}

const keyOf = (userId: string) => `auth:rights:${userId}`;
const apiKeyOf = (secretHash: string) => `auth:key:${secretHash}`;

export interface LastKnownRightsOptions {
  cache: Cache;
  /** How long remembered rights may serve (default 10 minutes). */
  ttlMs?: number;
  /** Each instance rewrites a user's entry at most this often (default 1 minute). */
  refreshMs?: number;
}

export function createLastKnownRights({ cache, ttlMs = 10 * 60_000, refreshMs = 60_000 }: LastKnownRightsOptions) {
  const recentlyWritten = new LRUCache<string, true | number>({ max: 10_000, ttl: refreshMs });
  return {
    async rememberKey(secretHash: string, key: KnownKey): Promise<void> {
      if (recentlyWritten.has(secretHash)) return;
      recentlyWritten.set(secretHash, true);
      await cache.set(apiKeyOf(secretHash), key, { ttlMs }).catch(() => undefined);
    },

    async recallKey(secretHash: string, now = Date.now()): Promise<KnownKey | undefined> {
      const key = await cache.get<KnownKey>(apiKeyOf(secretHash)).catch(() => undefined);
      return key && (key.expiresAt === null || key.expiresAt > now) ? key : undefined;
    },

    /** After revocation: this instance writes it again only after a fresh load, which refuses it. */
    async forgetKey(secretHash: string): Promise<void> {
      recentlyWritten.delete(secretHash);
      await cache.delete(apiKeyOf(secretHash)).catch(() => undefined);
    },

    /** Called after every successful load from the database; cheap when called again soon. */
    async remember({ user, grants, sessionVersion }: KnownRights): Promise<void> {
      // Written again at once when a session of the user ended or must rotate.
      if (recentlyWritten.get(user.id) === (sessionVersion ?? true)) return;
      recentlyWritten.set(user.id, sessionVersion ?? true);
      const stored: Stored = {
        email: user.email,
        grants: grants.map((g) => ({ ...g, createdAt: g.createdAt.toISOString() })),
        ...(sessionVersion === undefined ? {} : { sessionVersion }),
      };
      await cache.set(keyOf(user.id), stored, { ttlMs }).catch(() => undefined);
    },

    async recall(userId: string): Promise<KnownRights | undefined> {
      const stored = await cache.get<Stored>(keyOf(userId)).catch(() => undefined);
      if (!stored) return undefined;
      return {
        user: { id: userId, email: stored.email },
        grants: stored.grants.map((g) => ({ ...g, createdAt: new Date(g.createdAt) })),
        ...(stored.sessionVersion === undefined ? {} : { sessionVersion: stored.sessionVersion }),
      };
    },
  };
}

export type LastKnownRights = ReturnType<typeof createLastKnownRights>;

/**
 * The rights of users and API keys, kept in this instance's memory so that an authenticated
 * request in the steady state reads nothing from the database (loading them was most of an
 * authenticated read's cost).
 *
 * Why an entry can be trusted: every change to rights sends a notification from the database on
 * commit (migration 0009's triggers, whatever the code path), and each instance drops the entries
 * it names as it hears them. An entry is used only while the listener is hearing; when it stops
 * (connection lost, heartbeat unanswered) the cache empties and stays out of the way until it hears
 * again, so a change it could not hear is never papered over. What remains is the delivery delay
 * of a notification, and the TTL bounds anything else. A load that was under way when an entry was
 * dropped is not stored (the generation check), so a read from before a change cannot outlive it.
 *
 * Not shared through Redis: a cache entry deleted in Redis can come back (a restored snapshot, the
 * end of a partition), the hole the session version closes; PostgreSQL's notifications are tied to
 * the commit itself, and one load per user per instance per TTL costs next to nothing.
 */
import { LRUCache } from 'lru-cache';
import type { AppAbility, Grant } from './ability.ts';
import type { KnownKey, KnownRights } from './last-known-rights.ts';

export const RIGHTS_CHANNEL = 'watchkeeper_rights';

/** A user's rights and, built once per organization acted in, their abilities. */
export interface CachedUser {
  rights: KnownRights;
  abilities: Map<string, AppAbility>;
}

export interface CachedKey {
  known: KnownKey;
  /** Whose rights bound the key's scopes: a change to them drops the key too. */
  creatorId: string | null;
  ability: AppAbility;
  /** When this instance last recorded the key's use (see api-key-repository markUsed). */
  lastUsedAt: Date | null;
}

export interface RightsCacheOptions {
  ttlMs: number;
  max?: number;
}

export interface RightsLoad<T extends object> {
  /** Stores the value unless something was dropped since the load began. */
  store(value: T): void;
}

export function createRightsCache({ ttlMs, max = 10_000 }: RightsCacheOptions) {
  const enabled = ttlMs > 0;
  const users = new LRUCache<string, CachedUser>({ max, ttl: Math.max(ttlMs, 1) });
  const keys = new LRUCache<string, CachedKey>({ max, ttl: Math.max(ttlMs, 1) });
  let hearing = false;
  let generation = 0;

  function clear(): void {
    generation++;
    users.clear();
    keys.clear();
  }

  function dropUser(userId: string): void {
    generation++;
    users.delete(userId);
    for (const [hash, key] of keys.entries()) if (key.creatorId === userId) keys.delete(hash);
  }

  function begin<T extends object>(target: LRUCache<string, T>, id: string): RightsLoad<T> {
    const started = generation;
    return {
      store(value) {
        if (enabled && hearing && generation === started) target.set(id, value);
      },
    };
  }

  return {
    get active(): boolean {
      return enabled && hearing;
    },

    user(userId: string): CachedUser | undefined {
      return enabled && hearing ? users.get(userId) : undefined;
    },
    key(secretHash: string): CachedKey | undefined {
      return enabled && hearing ? keys.get(secretHash) : undefined;
    },
    /** Call before reading from the database; store the result through the returned handle. */
    loadingUser: (userId: string) => begin(users, userId),
    loadingKey: (secretHash: string) => begin(keys, secretHash),

    dropUser,
    dropKey(secretHash: string): void {
      generation++;
      keys.delete(secretHash);
    },
    clear,

    /** A notification on RIGHTS_CHANNEL. */
    heard(payload: string): void {
      if (payload.startsWith('user:')) dropUser(payload.slice(5));
      else if (payload.startsWith('key:')) {
        generation++;
        keys.delete(payload.slice(4));
      } else clear();
    },

    /** Whether the notification listener hears; either way what was cached may have missed something. */
    hearing(listening: boolean): void {
      hearing = listening;
      clear();
    },
  };
}

export type RightsCache = ReturnType<typeof createRightsCache>;

/** The ability of a user acting in an organization, built on first use and kept with the entry. */
export function abilityIn(entry: CachedUser, organizationId: string, build: (grants: readonly Grant[]) => AppAbility): AppAbility {
  let ability = entry.abilities.get(organizationId);
  if (!ability) {
    ability = build(entry.rights.grants.filter((g) => g.organizationId === organizationId));
    entry.abilities.set(organizationId, ability);
  }
  return ability;
}

/**
 * The rights of users and API keys, kept in this instance's memory so that an authenticated
 * request in the steady state reads nothing from the database (loading them was most of an
 * authenticated read's cost).
 *
 * Every change to rights sends a notification on `watchkeeper_rights` when it commits (migration
 * 0010's triggers, whatever the code path: a cascade, a route, psql), and each instance drops the
 * entries it names; see notified-cache.ts for why an entry can then be trusted.
 *
 * Not shared through Redis: an entry deleted in Redis can come back (a restored snapshot, the end
 * of a partition), the hole the session version closes; PostgreSQL's notifications are tied to the
 * commit itself, and one load per user per instance per TTL costs next to nothing.
 */
import { NotifiedCache } from '../../infra/database/index.ts';
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

export function createRightsCache({ ttlMs, max = 10_000 }: { ttlMs: number; max?: number }) {
  const users = new NotifiedCache<CachedUser>({ ttlMs, max });
  /** By the SHA-256 of the key's secret, as the database knows it. */
  const keys = new NotifiedCache<CachedKey>({ ttlMs, max });

  function dropUser(userId: string): void {
    users.drop(userId);
    keys.dropWhere((key) => key.creatorId === userId);
  }

  return {
    users,
    keys,
    get active(): boolean {
      return users.active;
    },
    dropUser,
    clear(): void {
      users.clear();
      keys.clear();
    },

    /** A notification on RIGHTS_CHANNEL: `user:<id>`, `key:<secret hash>`, or anything else for all. */
    heard(payload: string): void {
      if (payload.startsWith('user:')) dropUser(payload.slice(5));
      else if (payload.startsWith('key:')) keys.drop(payload.slice(4));
      else {
        users.clear();
        keys.clear();
      }
    },

    hearing(listening: boolean): void {
      users.hearing(listening);
      keys.hearing(listening);
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

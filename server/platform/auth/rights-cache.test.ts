import { describe, expect, it } from 'vitest';
import { emptyAbility } from './ability.ts';
import type { CachedKey, CachedUser } from './rights-cache.ts';
import { createRightsCache } from './rights-cache.ts';

const user = (id: string): CachedUser => ({ rights: { user: { id, email: `${id}@example.test` }, grants: [], sessionVersion: 0 }, abilities: new Map() });
const key = (creatorId: string): CachedKey => ({
  known: { apiKeyId: 'k1', keyPrefix: 'wk_00000000', organizationId: 'o', projectId: null, scopes: [], expiresAt: null },
  creatorId,
  ability: emptyAbility(),
  lastUsedAt: null,
});

function hearingCache() {
  const cache = createRightsCache({ ttlMs: 60_000 });
  cache.hearing(true);
  return cache;
}

describe('rights cache', () => {
  it('keeps nothing and answers nothing while its notifications cannot be heard', () => {
    const cache = createRightsCache({ ttlMs: 60_000 });
    cache.users.loading('u1').store(user('u1'));
    expect(cache.users.get('u1')).toBeUndefined();
    cache.hearing(true);
    cache.users.loading('u1').store(user('u1'));
    expect(cache.users.get('u1')).toBeDefined();
    cache.hearing(false);
    expect(cache.users.get('u1')).toBeUndefined();
    // What it held before it stopped hearing is gone once it hears again: it may have missed a change.
    cache.hearing(true);
    expect(cache.users.get('u1')).toBeUndefined();
  });

  it('does not store a load that began before a change was heard', () => {
    const cache = hearingCache();
    const load = cache.users.loading('u1');
    cache.heard('user:u1');
    load.store(user('u1'));
    expect(cache.users.get('u1')).toBeUndefined();
  });

  it('drops a user, and the API keys they created, on their notification', () => {
    const cache = hearingCache();
    cache.users.loading('u1').store(user('u1'));
    cache.users.loading('u2').store(user('u2'));
    cache.keys.loading('hash-1').store(key('u1'));
    cache.keys.loading('hash-2').store(key('u2'));
    cache.heard('user:u1');
    expect(cache.users.get('u1')).toBeUndefined();
    expect(cache.keys.get('hash-1')).toBeUndefined();
    expect(cache.users.get('u2')).toBeDefined();
    expect(cache.keys.get('hash-2')).toBeDefined();
  });

  it('drops a key on its notification, and everything on a role change', () => {
    const cache = hearingCache();
    cache.users.loading('u1').store(user('u1'));
    cache.keys.loading('hash-1').store(key('u1'));
    cache.heard('key:hash-1');
    expect(cache.keys.get('hash-1')).toBeUndefined();
    expect(cache.users.get('u1')).toBeDefined();
    cache.heard('all');
    expect(cache.users.get('u1')).toBeUndefined();
  });

  it('is off with a TTL of 0', () => {
    const cache = createRightsCache({ ttlMs: 0 });
    cache.hearing(true);
    cache.users.loading('u1').store(user('u1'));
    expect(cache.active).toBe(false);
    expect(cache.users.get('u1')).toBeUndefined();
  });
});

/**
 * Finds who is calling: an API key in `Authorization: Bearer wk_…` (or as a Basic password), else
 * the session cookie.
 * Sets `request.principal`, `request.ability` and (for a session) `request.session`; an invalid
 * API key is a 401 at once, an invalid or expired session cookie is simply dropped.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import { AppError, isDependencyUnavailable } from '../errors/index.ts';
import { buildAbility, canOn, type AppAbility } from './ability.ts';
import type { ApiKeyRepository } from './api-key-repository.ts';
import { recordDenial } from './audit.ts';
import type { KnownKey, KnownRights, LastKnownRights } from './last-known-rights.ts';
import { abilityIn, type CachedKey, type CachedUser, type RightsCache } from './rights-cache.ts';
import { sha256 } from './tokens.ts';
import type { MembershipGrant, MembershipRepository } from './membership-repository.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie, type SessionCookieOptions } from './session-cookie.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import type { UserRepository } from './user-repository.ts';

export const ORGANIZATION_HEADER = 'x-organization';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthenticatorDeps {
  app: FastifyInstance;
  users: UserRepository;
  sessions: SessionStore;
  memberships: MembershipRepository;
  apiKeys: ApiKeyRepository;
  cookie: SessionCookieOptions;
  lastKnownRights: LastKnownRights;
  rightsCache: RightsCache;
}

interface LoadedRights {
  rights: KnownRights | undefined;
  degraded: boolean;
  /** The cache entry (absent when degraded, or when the user is gone). */
  entry?: CachedUser;
  /** Taken from this instance's memory rather than the database. */
  cached?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The organization a user acts in: the one named by X-Organization, else their oldest
 * membership's. A user with no membership acts nowhere (no grants, so every permission check fails).
 */
export function actingOrganization(grants: readonly MembershipGrant[], header: string | undefined): string {
  if (header !== undefined) {
    if (!UUID.test(header) || !grants.some((g) => g.organizationId === header.toLowerCase())) {
      // The same answer whether or not the organization exists.
      throw new AppError('WK_ERR_NOT_A_MEMBER', 'you are not a member of the organization named by X-Organization');
    }
    return header.toLowerCase();
  }
  return grants[0]?.organizationId ?? SYSTEM_ORGANIZATION_ID;
}

/**
 * The API key of an Authorization header: `Bearer <key>`, or `Basic` with the key as the password
 * and any user name — what Pushgateway clients, Promtail, Fluent Bit and Vector send when given a
 * user and password.
 */
export function apiKeyIn(authorization: string): string {
  const [scheme = '', token = ''] = authorization.trim().split(/\s+/, 2);
  const kind = scheme.toLowerCase();
  if (kind === 'bearer' && token) return token;
  if (kind === 'basic' && token) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon === -1 ? '' : decoded.slice(colon + 1);
    if (password) return password;
  }
  throw new AppError('WK_ERR_UNAUTHORIZED', 'the Authorization header must be `Bearer <API key>`, or Basic auth with the API key as the password');
}

export function createAuthenticator({ app, users, sessions, memberships, apiKeys, cookie, lastKnownRights, rightsCache }: AuthenticatorDeps) {
  /**
   * The user (undefined when gone or disabled) and their memberships: from memory when the rights
   * cache has them (see rights-cache.ts), else from the database; while it is unreachable, a read
   * falls back on the rights last seen (see last-known-rights.ts).
   */
  async function rightsOf(request: FastifyRequest, userId: string, fallbackFor: SessionRecord | undefined, fresh = false): Promise<LoadedRights> {
    const hit = fresh ? undefined : rightsCache.users.get(userId);
    if (hit) return { rights: hit.rights, degraded: false, entry: hit, cached: true };
    const load = rightsCache.users.loading(userId);
    try {
      const user = await users.findById(userId);
      if (!user || user.disabledAt) return { rights: undefined, degraded: false };
      const rights = { user: { id: user.id, email: user.email }, grants: await memberships.grantsOf(user.id), sessionVersion: user.sessionVersion };
      const entry: CachedUser = { rights, abilities: new Map() };
      load.store(entry);
      await lastKnownRights.remember(rights);
      return { rights, degraded: false, entry };
    } catch (error) {
      if (!fallbackFor || !isDependencyUnavailable(error as Error)) throw error;
      const rights = await lastKnownRights.recall(userId);
      // A session older than the last version seen may have ended since: without the database to
      // confirm it, it gets no fallback.
      if (!rights || (rights.sessionVersion ?? 0) > (fallbackFor.userVersion ?? -1)) throw error;
      app.outages.report('database', error, request);
      request.log.debug({ userId }, 'the database is unavailable: this read is authorized with the rights the user was last seen with');
      return { rights, degraded: true };
    }
  }

  async function denyKey(request: FastifyRequest, reason: string, key?: { id: string; prefix: string; organizationId: string }): Promise<never> {
    await recordDenial(app, request, {
      action: 'api-key.use-denied',
      outcome: 'denied',
      actor: key ? { type: 'api-key', id: key.id, label: key.prefix } : { type: 'anonymous' },
      ...(key ? { target: { type: 'api-key', id: key.id, label: key.prefix }, organizationId: key.organizationId } : {}),
      details: { reason },
    });
    throw new AppError('WK_ERR_API_KEY_INVALID', 'the API key is not valid');
  }

  function actAsKey(request: FastifyRequest, known: KnownKey, ability: AppAbility): void {
    request.principal = {
      kind: 'api-key',
      apiKeyId: known.apiKeyId,
      keyPrefix: known.keyPrefix,
      organizationId: known.organizationId,
      projectId: known.projectId ?? undefined,
      scopes: known.scopes,
    };
    request.ability = ability;
  }

  /** A key's use is recorded at most once a minute (as markUsed does), also when it comes from memory. */
  async function recordUse(cached: CachedKey): Promise<void> {
    const lastUsedAt = cached.lastUsedAt;
    if (lastUsedAt && Date.now() - lastUsedAt.getTime() < 60_000) return;
    cached.lastUsedAt = new Date();
    await apiKeys.markUsed({ id: cached.known.apiKeyId, lastUsedAt });
  }

  async function fromApiKey(request: FastifyRequest, secret: string): Promise<void> {
    const secretHash = sha256(secret);
    const hit = rightsCache.keys.get(secretHash);
    if (hit && (hit.known.expiresAt === null || hit.known.expiresAt > Date.now())) {
      await recordUse(hit);
      return actAsKey(request, hit.known, hit.ability);
    }
    let known: KnownKey | undefined;
    try {
      known = await loadApiKey(request, secret, secretHash);
    } catch (error) {
      // Only a read, and only for a key seen (valid) within the last minutes: see last-known-rights.ts.
      if (!SAFE_METHODS.has(request.method) || !isDependencyUnavailable(error as Error)) throw error;
      known = await lastKnownRights.recallKey(secretHash);
      if (!known) throw error;
      app.outages.report('database', error, request);
      request.log.debug({ apiKey: known.keyPrefix }, 'the database is unavailable: this read is authorized with the rights the API key was last seen with');
    }
    actAsKey(request, known, keyAbility(known));
  }

  const keyAbility = (known: KnownKey) => buildAbility([{ organizationId: known.organizationId, projectId: known.projectId, permissions: known.scopes }]);

  async function loadApiKey(request: FastifyRequest, secret: string, secretHash: string): Promise<KnownKey> {
    const load = rightsCache.keys.loading(secretHash);
    const key = await apiKeys.findBySecret(secret);
    if (!key) return denyKey(request, 'unknown');
    if (key.revokedAt) return denyKey(request, 'revoked', key);
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) return denyKey(request, 'expired', key);
    // A key never holds more than its creator still holds: demoting or disabling a user narrows
    // or stops the keys they made.
    const creator = key.createdBy ? await users.findById(key.createdBy) : undefined;
    if (!creator || creator.disabledAt) return denyKey(request, 'creator-inactive', key);
    const creatorAbility = buildAbility((await memberships.grantsOf(creator.id)).filter((g) => g.organizationId === key.organizationId));
    const scopes = key.scopes.filter((scope) => canOn(creatorAbility, scope, { organizationId: key.organizationId, projectId: key.projectId }));
    await apiKeys.markUsed(key);
    const known: KnownKey = {
      apiKeyId: key.id,
      keyPrefix: key.prefix,
      organizationId: key.organizationId,
      projectId: key.projectId,
      scopes,
      expiresAt: key.expiresAt?.getTime() ?? null,
    };
    load.store({ known, creatorId: key.createdBy, ability: keyAbility(known), lastUsedAt: new Date() });
    await lastKnownRights.rememberKey(secretHash, known);
    return known;
  }

  async function fromSession(request: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    let session = await sessions.find(id);
    // Only a read, and only for a session the cache vouches for (found there, no rotation pending).
    const fallbackFor = SAFE_METHODS.has(request.method) && session !== undefined && !session.rotateRequired ? session : undefined;
    const loaded: LoadedRights = session ? await rightsOf(request, session.userId, fallbackFor) : { rights: undefined, degraded: false };
    let { rights, degraded, entry } = loaded;
    if (session && loaded.cached && session.userVersion !== rights!.sessionVersion) {
      // The session was read after a change the cached rights predate (or before it): the database decides.
      rightsCache.dropUser(session.userId);
      ({ rights, degraded, entry } = await rightsOf(request, session.userId, fallbackFor, true));
    }
    if (session && rights && !degraded && session.userVersion !== rights.sessionVersion) {
      // One of the user's sessions ended or must rotate since this copy was read: it may be this
      // one, with a cache that could not be told (see session-store.ts). The database decides.
      session = await sessions.confirm(session.idHash);
      if (!session) {
        clearSessionCookie(request, reply, cookie);
        return;
      }
    }
    if (!session || !rights) {
      if (session) await sessions.revoke(session.idHash);
      clearSessionCookie(request, reply, cookie);
      return;
    }
    if (session.rotateRequired) {
      // The user's privileges changed: a new id from here on, so a copy of the old cookie taken
      // before the change does not carry the new privileges.
      const rotated = await sessions.rotate(session, { ip: request.ip, userAgent: request.headers['user-agent'] });
      setSessionCookie(request, reply, rotated.id, cookie);
      session = rotated.session;
    } else if (!degraded) {
      await sessions.touch(session);
    }
    const { user, grants } = rights;
    const header = request.headers[ORGANIZATION_HEADER];
    const organizationId = actingOrganization(grants, typeof header === 'string' ? header : undefined);
    request.session = session;
    request.grants = grants;
    request.principal = { kind: 'user', userId: user.id, email: user.email, sessionId: session.idHash, organizationId };
    request.ability = entry ? abilityIn(entry, organizationId, buildAbility) : buildAbility(grants.filter((g) => g.organizationId === organizationId));
  }

  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      return fromApiKey(request, apiKeyIn(authorization));
    }
    const id = request.cookies[SESSION_COOKIE];
    if (id) await fromSession(request, reply, id);
  };
}

/**
 * Server-side sessions. The cookie carries 32 random bytes; the database keeps their SHA-256,
 * and the cache (Redis when configured) holds the row so most requests touch no table. A session
 * ends after `idleTimeoutMs` without use or `absoluteTimeoutMs` after sign-in, whichever is first.
 *
 * The database wins over the cache. Deleting a cached entry can fail (Redis down, frozen, or cut
 * off from this instance only) and the entry can come back (a restored snapshot, the end of a
 * partition), so the cache is never what makes an ending stick: every change that ends a session
 * or requires its rotation raises `users.session_version` in the same transaction, each cached
 * record carries the version it was read with, and authentication — which reads the user's row on
 * every request anyway — sends a record whose version is behind to `confirm()`, a read of the row
 * itself. A busy user costs no extra query until one of their sessions changes.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Cache } from '../../infra/cache/index.ts';
import type { Database } from '../../infra/database/schema.ts';
import { randomToken, sha256 } from './tokens.ts';

export interface SessionRecord {
  idHash: string;
  userId: string;
  csrfToken: string;
  /** Epoch milliseconds (they travel through the cache as JSON). */
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  rotateRequired: boolean;
  /**
   * The user's `session_version` read in the same statement as this row (absent in entries cached
   * before it existed, which therefore always get confirmed).
   */
  userVersion?: number;
}

export interface SessionStoreOptions {
  db: Kysely<Database>;
  cache: Cache;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** last_seen_at is written at most this often, so a busy session is not a write per request. */
  touchIntervalMs?: number;
  now?: () => number;
  /**
   * Told the users whose sessions ended or must rotate, once the change is made (committed, unless
   * it ran in the caller's transaction): their cached rights are dropped at once on this instance.
   */
  onUsersChanged?: (userIds: string[]) => void;
}

type Db = Kysely<Database> | Transaction<Database>;

const cacheKey = (idHash: string) => `session:${idHash}`;

/** Runs `work` in the caller's transaction, or in a new one. */
function inTransaction<T>(db: Kysely<Database>, trx: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return trx.isTransaction ? work(trx as Transaction<Database>) : db.transaction().execute(work);
}

/** Raises the version of these users' sessions: their cached copies must be confirmed before use. */
async function bumpVersions(trx: Db, userIds: string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;
  await trx
    .updateTable('users')
    .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
    .where('id', 'in', unique)
    .execute();
}

export function createSessionStore({
  db,
  cache,
  idleTimeoutMs,
  absoluteTimeoutMs,
  touchIntervalMs = 60_000,
  now = Date.now,
  onUsersChanged = () => undefined,
}: SessionStoreOptions) {
  const isLive = (s: SessionRecord, at: number) => at < s.expiresAt && at - s.lastSeenAt < idleTimeoutMs;

  async function remember(session: SessionRecord): Promise<void> {
    const ttlMs = Math.min(idleTimeoutMs, session.expiresAt - now());
    // The cache is an accelerator: when it is away, the database still answers.
    if (ttlMs > 0) await cache.set(cacheKey(session.idHash), session, { ttlMs }).catch(() => undefined);
  }

  async function forget(idHashes: string[]): Promise<void> {
    await Promise.all(idHashes.map((h) => cache.delete(cacheKey(h)).catch(() => undefined)));
  }

  /**
   * The row and its user's version in one statement: a version read separately, after the row,
   * could be one raised by a sign-out that deleted the row in between, and vouch for a ghost.
   */
  async function loadFromDatabase(idHash: string): Promise<SessionRecord | undefined> {
    const row = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select('users.session_version')
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const session: SessionRecord = {
      idHash: row.id_hash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      createdAt: row.created_at.getTime(),
      lastSeenAt: row.last_seen_at.getTime(),
      expiresAt: row.expires_at.getTime(),
      rotateRequired: row.rotate_required,
      userVersion: row.session_version,
    };
    if (isLive(session, now())) await remember(session);
    return session;
  }

  async function load(idHash: string): Promise<SessionRecord | undefined> {
    const cached = await cache.get<SessionRecord>(cacheKey(idHash)).catch(() => undefined);
    return cached ?? loadFromDatabase(idHash);
  }

  const store = {
    /** Starts a session; returns the secret id for the cookie (never stored) and the record. */
    async create(
      { userId, ip, userAgent, csrfToken = randomToken() }: { userId: string; ip?: string; userAgent?: string; csrfToken?: string },
      trx: Db = db,
    ): Promise<{ id: string; session: SessionRecord }> {
      const id = randomToken();
      const at = now();
      const user = await trx.selectFrom('users').select('session_version').where('id', '=', userId).executeTakeFirst();
      const session: SessionRecord = {
        idHash: sha256(id),
        userId,
        csrfToken,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: at + absoluteTimeoutMs,
        rotateRequired: false,
        ...(user ? { userVersion: user.session_version } : {}),
      };
      await trx
        .insertInto('sessions')
        .values({
          id_hash: session.idHash,
          user_id: userId,
          csrf_token: session.csrfToken,
          created_at: new Date(at),
          last_seen_at: new Date(at),
          expires_at: new Date(session.expiresAt),
          ip: ip ?? null,
          user_agent: userAgent?.slice(0, 512) ?? null,
        })
        .execute();
      await remember(session);
      return { id, session };
    },

    /** The live session for a cookie value; an idle or expired one is deleted and not returned. */
    async find(id: string): Promise<SessionRecord | undefined> {
      if (id.length === 0 || id.length > 128) return undefined;
      const session = await load(sha256(id));
      if (!session) return undefined;
      if (!isLive(session, now())) {
        await store.revoke(session.idHash);
        return undefined;
      }
      return session;
    },

    /**
     * The session as the database has it now, for a cached record whose version is behind the
     * user's: undefined when it has ended (or expired) meanwhile. The answer is cached again.
     */
    async confirm(idHash: string): Promise<SessionRecord | undefined> {
      const session = await loadFromDatabase(idHash);
      if (!session) {
        await forget([idHash]);
        return undefined;
      }
      if (!isLive(session, now())) {
        await store.revoke(session.idHash);
        return undefined;
      }
      return session;
    },

    /** Records use of the session (at most once per touch interval). */
    async touch(session: SessionRecord): Promise<void> {
      const at = now();
      if (at - session.lastSeenAt < touchIntervalMs) return;
      session.lastSeenAt = at;
      await db
        .updateTable('sessions')
        .set({ last_seen_at: new Date(at) })
        .where('id_hash', '=', session.idHash)
        .execute();
      await remember(session);
    },

    /**
     * Replaces a session by a new one for the same user; the old id stops working. The CSRF token
     * is kept, so a page open before the change can still post.
     */
    async rotate(session: SessionRecord, context: { ip?: string; userAgent?: string } = {}): Promise<{ id: string; session: SessionRecord }> {
      const created = await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('id_hash', '=', session.idHash).execute();
        // Raised before the new row is read back, so the new session carries the raised version.
        await bumpVersions(trx, [session.userId]);
        return store.create({ userId: session.userId, csrfToken: session.csrfToken, ...context }, trx);
      });
      await forget([session.idHash]);
      onUsersChanged([session.userId]);
      return created;
    },

    /**
     * Ends a session for good once this resolves, whether or not the cache could be told: the
     * version raised with the delete makes any surviving cached copy go back to the database.
     */
    async revoke(idHash: string, trx: Db = db): Promise<void> {
      const userIds = await inTransaction(db, trx, async (t) => {
        const rows = await t.deleteFrom('sessions').where('id_hash', '=', idHash).returning('user_id').execute();
        await bumpVersions(
          t,
          rows.map((r) => r.user_id),
        );
        return rows.map((r) => r.user_id);
      });
      await forget([idHash]);
      onUsersChanged(userIds);
    },

    /**
     * Ends every session of a user (logout everywhere, disabling, password reset), or all but one.
     * `within` runs in the deletion's transaction (its audit record); the cache forgets the sessions
     * only after the deletion, so a request reading them meanwhile cannot cache them again.
     */
    async revokeAllForUser(
      userId: string,
      { except, within }: { except?: string; within?: (trx: Transaction<Database>, ended: number) => Promise<void> } = {},
      trx: Db = db,
    ): Promise<number> {
      const rows = await inTransaction(db, trx, async (t) => {
        let query = t.deleteFrom('sessions').where('user_id', '=', userId);
        if (except) query = query.where('id_hash', '!=', except);
        const deleted = await query.returning('id_hash').execute();
        await bumpVersions(t, [userId]);
        await within?.(t, deleted.length);
        return deleted;
      });
      await forget(rows.map((r) => r.id_hash));
      onUsersChanged([userId]);
      return rows.length;
    },

    /** After a privilege change: each of the user's sessions gets a fresh id on its next request. */
    async requireRotation(userId: string, trx: Db = db): Promise<void> {
      const rows = await inTransaction(db, trx, async (t) => {
        const flagged = await t.updateTable('sessions').set({ rotate_required: true }).where('user_id', '=', userId).returning('id_hash').execute();
        await bumpVersions(t, [userId]);
        return flagged;
      });
      await forget(rows.map((r) => r.id_hash));
      onUsersChanged([userId]);
    },

    async countForUser(userId: string): Promise<number> {
      const { count } = await db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(count);
    },

    /** Deletes sessions past their absolute or idle limit (a scheduled job). */
    async deleteExpired(): Promise<number> {
      const at = now();
      const rows = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', new Date(at)), eb('last_seen_at', '<=', new Date(at - idleTimeoutMs))]))
        .returning('id_hash')
        .execute();
      await forget(rows.map((r) => r.id_hash));
      return rows.length;
    },
  };
  return store;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

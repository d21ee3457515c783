/** Accounts: an email (stored lower-cased) and an argon2id password hash. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  disabledAt: Date | null;
  createdAt: Date;
  /** Raised whenever one of the user's sessions ends or must rotate; cached sessions are checked against it. */
  sessionVersion: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toRecord(row: { id: string; email: string; password_hash: string; disabled_at: Date | null; created_at: Date; session_version: number }): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    sessionVersion: row.session_version,
  };
}

const columns = ['id', 'email', 'password_hash', 'disabled_at', 'created_at', 'session_version'] as const;

export function createUserRepository(db: Kysely<Database>) {
  return {
    async findByEmail(email: string, trx: Db = db): Promise<UserRecord | undefined> {
      const row = await trx.selectFrom('users').select(columns).where('email', '=', normalizeEmail(email)).executeTakeFirst();
      return row && toRecord(row);
    },

    async findById(id: string, trx: Db = db): Promise<UserRecord | undefined> {
      const row = await trx.selectFrom('users').select(columns).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    /** Inserts a user; resolves undefined when the email is taken. */
    async create({ email, passwordHash }: { email: string; passwordHash: string }, trx: Db = db): Promise<UserRecord | undefined> {
      const row = await trx
        .insertInto('users')
        .values({ email: normalizeEmail(email), password_hash: passwordHash })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(columns)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async setPassword(id: string, passwordHash: string, trx: Db = db): Promise<void> {
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    async setDisabled(id: string, disabled: boolean, trx: Db = db): Promise<void> {
      await trx
        .updateTable('users')
        .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    async count(trx: Db = db): Promise<number> {
      const { count } = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(count);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;

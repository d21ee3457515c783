/**
 * Sign-in throttling, per account and per IP address, kept in the database so it holds across
 * instances. After `maxFailures` failures inside the window a key is locked out; each further
 * failure doubles the lockout (exponential back-off) up to `lockoutMaxMs`. Unknown accounts are
 * counted like real ones, so a lockout does not reveal whether an account exists.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';

export interface LoginThrottleOptions {
  db: Kysely<Database>;
  accountMaxFailures: number;
  ipMaxFailures: number;
  lockoutBaseMs: number;
  lockoutMaxMs: number;
  failureWindowMs: number;
}

export interface LoginKeys {
  email: string;
  ip: string;
}

export interface FailureOutcome {
  /** Set when this failure started (or extended) a lockout of either key. */
  lockedUntil: Date | undefined;
  lockedKeys: Array<'account' | 'ip'>;
}

export function lockoutDurationMs(
  failures: number,
  threshold: number,
  { lockoutBaseMs, lockoutMaxMs }: { lockoutBaseMs: number; lockoutMaxMs: number },
): number {
  if (failures < threshold) return 0;
  const doublings = Math.min(failures - threshold, 30);
  return Math.min(lockoutBaseMs * 2 ** doublings, lockoutMaxMs);
}

export function createLoginThrottle({ db, accountMaxFailures, ipMaxFailures, lockoutBaseMs, lockoutMaxMs, failureWindowMs }: LoginThrottleOptions) {
  const keysOf = ({ email, ip }: LoginKeys) => ({ account: `account:${email}`, ip: `ip:${ip}` });

  async function fail(key: string, threshold: number): Promise<Date | undefined> {
    // A failure after a quiet window starts the count again.
    const row = await sql<{ failures: number; last_failure_at: Date }>`
      INSERT INTO login_throttles (key, failures, last_failure_at) VALUES (${key}, 1, now())
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttles.last_failure_at < now() - make_interval(secs => ${failureWindowMs / 1000})
                        THEN 1 ELSE login_throttles.failures + 1 END,
        last_failure_at = now()
      RETURNING failures, last_failure_at
    `.execute(db);
    const { failures, last_failure_at: at } = row.rows[0]!;
    const durationMs = lockoutDurationMs(failures, threshold, { lockoutBaseMs, lockoutMaxMs });
    if (durationMs === 0) return undefined;
    const lockedUntil = new Date(at.getTime() + durationMs);
    await db.updateTable('login_throttles').set({ locked_until: lockedUntil }).where('key', '=', key).execute();
    return lockedUntil;
  }

  return {
    /** The end of the lockout currently holding either key, if any. */
    async lockedUntil(keys: LoginKeys): Promise<Date | undefined> {
      const { account, ip } = keysOf(keys);
      const rows = await db
        .selectFrom('login_throttles')
        .select('locked_until')
        .where('key', 'in', [account, ip])
        .where('locked_until', '>', sql<Date>`now()`)
        .execute();
      const ends = rows.map((r) => r.locked_until!.getTime());
      return ends.length ? new Date(Math.max(...ends)) : undefined;
    },

    async recordFailure(keys: LoginKeys): Promise<FailureOutcome> {
      const { account, ip } = keysOf(keys);
      const [accountUntil, ipUntil] = await Promise.all([fail(account, accountMaxFailures), fail(ip, ipMaxFailures)]);
      const lockedKeys = [...(accountUntil ? (['account'] as const) : []), ...(ipUntil ? (['ip'] as const) : [])];
      const ends = [accountUntil, ipUntil].filter((d): d is Date => d !== undefined).map((d) => d.getTime());
      return { lockedUntil: ends.length ? new Date(Math.max(...ends)) : undefined, lockedKeys };
    },

    /** A successful sign-in clears the account's count (the address's count decays with the window). */
    async recordSuccess(keys: LoginKeys): Promise<void> {
      await db.deleteFrom('login_throttles').where('key', '=', keysOf(keys).account).execute();
    },

    /** An administrator's password reset lifts the account's lockout. */
    async clearAccount(email: string): Promise<void> {
      await db.deleteFrom('login_throttles').where('key', '=', `account:${email}`).execute();
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/** Creating accounts: one path for the first-run page, the CLI and the users API. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';
import { AppError } from '../errors/index.ts';
import { createMembershipRepository } from './membership-repository.ts';
import { hashPassword } from './password-hashing.ts';
import { assertPasswordAcceptable, type PasswordPolicy } from './password-policy.ts';
import { createUserRepository, normalizeEmail, type UserRecord } from './user-repository.ts';

export interface CreateAccountInput {
  email: string;
  password: string;
  /** A built-in role name or a custom role of the organization. */
  role: string;
  organizationId: string;
  projectId?: string | null;
  /** Refuse unless no account exists yet (first run); checked under a lock. */
  onlyIfFirst?: boolean;
}

/** `within` runs in the account's transaction, e.g. to append its audit record. */
export async function createAccount(
  db: Kysely<Database>,
  input: CreateAccountInput,
  { policy, trx, within }: { policy: PasswordPolicy; trx?: Transaction<Database>; within?: (user: UserRecord, trx: Transaction<Database>) => Promise<void> },
): Promise<UserRecord> {
  const email = normalizeEmail(input.email);
  assertPasswordAcceptable(input.password, policy, { email });
  const passwordHash = await hashPassword(input.password);
  const run = async (tx: Transaction<Database>) => {
    const users = createUserRepository(db);
    const memberships = createMembershipRepository(db);
    if (input.onlyIfFirst) {
      // Two first-run submissions at once: the lock makes the second see the first's account.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended('watchkeeper:first-user', 0))`.execute(tx);
      if ((await users.count(tx)) > 0) throw new AppError('WK_ERR_SETUP_DONE', 'Watchkeeper is already set up');
    }
    const role = await memberships.findRole(input.organizationId, input.role, tx);
    if (!role)
      throw new AppError('WK_ERR_VALIDATION', `/body/role: no role named "${input.role}"`, {
        fieldErrors: [{ pointer: '/body/role', detail: `no role named "${input.role}"` }],
      });
    const user = await users.create({ email, passwordHash }, tx);
    if (!user) throw new AppError('WK_ERR_EMAIL_TAKEN', 'an account with this email address already exists');
    await memberships.setMembership({ userId: user.id, organizationId: input.organizationId, projectId: input.projectId ?? null, roleId: role.id }, tx);
    await within?.(user, tx);
    return user;
  };
  return trx ? run(trx) : db.transaction().execute(run);
}

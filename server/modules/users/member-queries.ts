/** Reads users through their membership in one organization: outside it they do not exist. */
import type { Kysely } from 'kysely';
import type { User } from '../../../contracts/auth.ts';
import type { Database } from '../../infra/database/schema.ts';

export interface Member extends User {
  disabled: boolean;
}

function query(db: Kysely<Database>, organizationId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('roles as r', 'r.id', 'm.role_id')
    .select(['u.id', 'u.email', 'u.disabled_at', 'u.created_at', 'r.name as role', 'm.project_id'])
    .where('m.organization_id', '=', organizationId);
}

function toMember(row: { id: string; email: string; disabled_at: Date | null; created_at: Date; role: string; project_id: string | null }): Member {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    projectId: row.project_id,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listMembers(db: Kysely<Database>, organizationId: string): Promise<Member[]> {
  const rows = await query(db, organizationId)
    .orderBy('u.email')
    .orderBy('m.project_id', (ob) => ob.nullsFirst())
    .execute();
  return rows.map(toMember);
}

/** The user's organization-wide membership if any, else their first project membership. */
export async function findMember(db: Kysely<Database>, organizationId: string, userId: string): Promise<Member | undefined> {
  const row = await query(db, organizationId)
    .where('u.id', '=', userId)
    .orderBy('m.project_id', (ob) => ob.nullsFirst())
    .executeTakeFirst();
  return row && toMember(row);
}

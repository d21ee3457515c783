/** Memberships of one organization as the API shows them: who holds which role, organization-wide or in one project. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { MembershipRecord } from '../../../contracts/tenancy-api.ts';
import type { Database } from '../../infra/database/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredMembership extends MembershipRecord {
  roleId: string;
  /** The role is a built-in one (not a custom role of the organization). */
  builtInRole: boolean;
}

function query(trx: Db, organizationId: string) {
  return trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('roles as r', 'r.id', 'm.role_id')
    .select(['m.id', 'm.user_id', 'u.email', 'm.project_id', 'm.created_at', 'r.id as role_id', 'r.name as role', 'r.organization_id as role_organization_id'])
    .where('m.organization_id', '=', organizationId);
}

function toMembership(row: {
  id: string;
  user_id: string;
  email: string;
  project_id: string | null;
  created_at: Date;
  role_id: string;
  role: string;
  role_organization_id: string | null;
}): StoredMembership {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    projectId: row.project_id,
    role: row.role,
    createdAt: row.created_at.toISOString(),
    roleId: row.role_id,
    builtInRole: row.role_organization_id === null,
  };
}

export function createTenantMembershipsRepository(db: Kysely<Database>) {
  return {
    async list(organizationId: string, trx: Db = db): Promise<StoredMembership[]> {
      const rows = await query(trx, organizationId)
        .orderBy('u.email')
        .orderBy('m.project_id', (ob) => ob.nullsFirst())
        .orderBy('m.id')
        .execute();
      return rows.map(toMembership);
    },

    async find(organizationId: string, id: string, trx: Db = db): Promise<StoredMembership | undefined> {
      const row = await query(trx, organizationId).where('m.id', '=', id).executeTakeFirst();
      return row && toMembership(row);
    },

    async findFor(organizationId: string, userId: string, projectId: string | null, trx: Db = db): Promise<StoredMembership | undefined> {
      const row = await query(trx, organizationId)
        .where('m.user_id', '=', userId)
        .where((eb) => (projectId === null ? eb('m.project_id', 'is', null) : eb('m.project_id', '=', projectId)))
        .executeTakeFirst();
      return row && toMembership(row);
    },

    /** Gives the user the role there, replacing the one held before; `created` tells whether the membership is new. */
    async upsert(
      { userId, organizationId, projectId, roleId }: { userId: string; organizationId: string; projectId: string | null; roleId: string },
      trx: Db = db,
    ): Promise<{ id: string; created: boolean }> {
      const row = await trx
        .insertInto('memberships')
        .values({ user_id: userId, organization_id: organizationId, project_id: projectId, role_id: roleId })
        .onConflict((oc) => oc.columns(['user_id', 'organization_id', 'project_id']).doUpdateSet({ role_id: roleId }))
        // xmax is 0 for a freshly inserted row version, and set for one an ON CONFLICT update wrote.
        .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
        .executeTakeFirstOrThrow();
      return { id: row.id, created: row.created };
    },

    async delete(organizationId: string, id: string, trx: Db = db): Promise<boolean> {
      const result = await trx.deleteFrom('memberships').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Organization-wide memberships holding the built-in owner role. */
    async countOwners(organizationId: string, trx: Db = db): Promise<number> {
      const { count } = await trx
        .selectFrom('memberships as m')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('m.organization_id', '=', organizationId)
        .where('m.project_id', 'is', null)
        .where('r.organization_id', 'is', null)
        .where('r.name', '=', 'owner')
        .executeTakeFirstOrThrow();
      return Number(count);
    },
  };
}

export type TenantMembershipsRepository = ReturnType<typeof createTenantMembershipsRepository>;

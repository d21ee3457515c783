/** Memberships (a user's role in an organization or a project) and the roles they name. */
import type { Kysely, Transaction } from 'kysely';
import { builtInRolePermissions, isBuiltInRole, isPermission, type Permission } from '../../../contracts/permissions.ts';
import type { Database } from '../../infra/database/schema.ts';
import type { Grant } from './ability.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface MembershipGrant extends Grant {
  membershipId: string;
  roleId: string;
  roleName: string;
  createdAt: Date;
}

export interface RoleRecord {
  id: string;
  organizationId: string | null;
  name: string;
  description: string;
  builtIn: boolean;
  permissions: Permission[];
}

function permissionsOf(role: { organization_id: string | null; name: string }, custom: readonly string[]): Permission[] {
  if (role.organization_id === null && isBuiltInRole(role.name)) return builtInRolePermissions(role.name);
  return custom.filter(isPermission);
}

export function createMembershipRepository(db: Kysely<Database>) {
  async function customPermissions(roleIds: string[], trx: Db): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (roleIds.length === 0) return map;
    const rows = await trx.selectFrom('role_permissions').select(['role_id', 'permission']).where('role_id', 'in', roleIds).execute();
    for (const row of rows) map.set(row.role_id, [...(map.get(row.role_id) ?? []), row.permission]);
    return map;
  }

  return {
    /** Every membership of a user, oldest first, with the permissions its role carries. */
    async grantsOf(userId: string, trx: Db = db): Promise<MembershipGrant[]> {
      const rows = await trx
        .selectFrom('memberships as m')
        .innerJoin('roles as r', 'r.id', 'm.role_id')
        .select([
          'm.id',
          'm.organization_id',
          'm.project_id',
          'm.created_at',
          'r.id as role_id',
          'r.name as role_name',
          'r.organization_id as role_organization_id',
        ])
        .where('m.user_id', '=', userId)
        .orderBy('m.created_at')
        .orderBy('m.id')
        .execute();
      const custom = await customPermissions(
        rows.filter((r) => r.role_organization_id !== null).map((r) => r.role_id),
        trx,
      );
      return rows.map((row) => ({
        membershipId: row.id,
        organizationId: row.organization_id,
        projectId: row.project_id,
        roleId: row.role_id,
        roleName: row.role_name,
        createdAt: row.created_at,
        permissions: permissionsOf({ organization_id: row.role_organization_id, name: row.role_name }, custom.get(row.role_id) ?? []),
      }));
    },

    /** A role usable in an organization: built-in, or one of its custom roles. */
    async findRole(organizationId: string, name: string, trx: Db = db): Promise<RoleRecord | undefined> {
      const row = await trx
        .selectFrom('roles')
        .selectAll()
        .where('name', '=', name)
        .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
        .orderBy('organization_id', (ob) => ob.nullsFirst())
        .executeTakeFirst();
      if (!row) return undefined;
      const custom = row.organization_id ? ((await customPermissions([row.id], trx)).get(row.id) ?? []) : [];
      return {
        id: row.id,
        organizationId: row.organization_id,
        name: row.name,
        description: row.description,
        builtIn: row.organization_id === null,
        permissions: permissionsOf(row, custom),
      };
    },

    async listRoles(organizationId: string, trx: Db = db): Promise<RoleRecord[]> {
      const rows = await trx
        .selectFrom('roles')
        .selectAll()
        .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
        .orderBy('organization_id', (ob) => ob.nullsFirst())
        .orderBy('created_at')
        .execute();
      const custom = await customPermissions(
        rows.filter((r) => r.organization_id).map((r) => r.id),
        trx,
      );
      return rows.map((row) => ({
        id: row.id,
        organizationId: row.organization_id,
        name: row.name,
        description: row.description,
        builtIn: row.organization_id === null,
        permissions: permissionsOf(row, custom.get(row.id) ?? []),
      }));
    },

    async createCustomRole(
      {
        organizationId,
        name,
        description = '',
        permissions,
      }: { organizationId: string; name: string; description?: string; permissions: readonly Permission[] },
      trx: Db = db,
    ): Promise<RoleRecord | undefined> {
      const row = await trx
        .insertInto('roles')
        .values({ organization_id: organizationId, name, description })
        .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      if (permissions.length)
        await trx
          .insertInto('role_permissions')
          .values(permissions.map((permission) => ({ role_id: row.id, permission })))
          .execute();
      return { id: row.id, organizationId, name, description, builtIn: false, permissions: [...permissions] };
    },

    /** A role by id, if usable in the organization: built-in, or one of its custom roles. */
    async findRoleById(organizationId: string, id: string, trx: Db = db): Promise<RoleRecord | undefined> {
      const row = await trx
        .selectFrom('roles')
        .selectAll()
        .where('id', '=', id)
        .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
        .executeTakeFirst();
      if (!row) return undefined;
      const custom = row.organization_id ? ((await customPermissions([row.id], trx)).get(row.id) ?? []) : [];
      return {
        id: row.id,
        organizationId: row.organization_id,
        name: row.name,
        description: row.description,
        builtIn: row.organization_id === null,
        permissions: permissionsOf(row, custom),
      };
    },

    /** Changes a custom role's description and/or its permissions (replaced as a whole); pass a transaction. */
    async updateCustomRole(
      id: string,
      { description, permissions }: { description?: string | undefined; permissions?: readonly Permission[] | undefined },
      trx: Db = db,
    ): Promise<void> {
      // Two concurrent replacements would otherwise both delete, then collide inserting the same permission.
      await trx.selectFrom('roles').select('id').where('id', '=', id).forUpdate().execute();
      if (description !== undefined)
        await trx.updateTable('roles').set({ description }).where('id', '=', id).where('organization_id', 'is not', null).execute();
      if (permissions !== undefined) {
        await trx.deleteFrom('role_permissions').where('role_id', '=', id).execute();
        if (permissions.length)
          await trx
            .insertInto('role_permissions')
            .values(permissions.map((permission) => ({ role_id: id, permission })))
            .execute();
      }
    },

    /** Deletes a custom role; its permissions go with it (foreign key). Memberships must not hold it. */
    async deleteCustomRole(id: string, trx: Db = db): Promise<boolean> {
      const result = await trx.deleteFrom('roles').where('id', '=', id).where('organization_id', 'is not', null).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** The users holding the role, in any membership. */
    async roleHolders(roleId: string, trx: Db = db): Promise<{ memberships: number; userIds: string[] }> {
      const rows = await trx.selectFrom('memberships').select('user_id').where('role_id', '=', roleId).execute();
      return { memberships: rows.length, userIds: [...new Set(rows.map((r) => r.user_id))] };
    },

    /** Gives a user a role in an organization (or project), replacing the role held there before. */
    async setMembership(
      { userId, organizationId, projectId = null, roleId }: { userId: string; organizationId: string; projectId?: string | null; roleId: string },
      trx: Db = db,
    ): Promise<void> {
      await trx
        .insertInto('memberships')
        .values({ user_id: userId, organization_id: organizationId, project_id: projectId, role_id: roleId })
        .onConflict((oc) => oc.columns(['user_id', 'organization_id', 'project_id']).doUpdateSet({ role_id: roleId }))
        .execute();
    },

    async isMember(userId: string, organizationId: string, trx: Db = db): Promise<boolean> {
      const row = await trx
        .selectFrom('memberships')
        .select('id')
        .where('user_id', '=', userId)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type MembershipRepository = ReturnType<typeof createMembershipRepository>;

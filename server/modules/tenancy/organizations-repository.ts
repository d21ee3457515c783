/** Organizations: the tenants. Deleting one cascades to everything stored under it. */
import type { Kysely, Transaction } from 'kysely';
import type { Organization } from '../../../contracts/tenancy-api.ts';
import type { Database } from '../../infra/database/schema.ts';
import { AppError } from '../../platform/errors/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

type Db = Kysely<Database> | Transaction<Database>;

const toOrganization = (row: { id: string; slug: string; name: string; created_at: unknown }): Organization => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  // Generated<Timestamp> selects as its column type, not as Date; pg returns a Date.
  createdAt: (row.created_at as Date).toISOString(),
});

const slugTaken = (slug: string) =>
  new AppError('WK_ERR_ORGANIZATION_SLUG_TAKEN', `/body/slug: an organization with the slug "${slug}" already exists`, {
    fieldErrors: [{ pointer: '/body/slug', detail: 'is taken' }],
  });

export function createOrganizationsRepository(db: Kysely<Database>) {
  return {
    async findMany(ids: readonly string[], trx: Db = db): Promise<Organization[]> {
      if (ids.length === 0) return [];
      const rows = await trx
        .selectFrom('organizations')
        .selectAll()
        .where('id', 'in', [...ids])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toOrganization);
    },

    async find(id: string, trx: Db = db): Promise<Organization | undefined> {
      const row = await trx.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOrganization(row);
    },

    /** Locks the organization's row until the transaction ends: serialises changes to who owns it and to its projects. */
    async lock(id: string, trx: Transaction<Database>): Promise<boolean> {
      const row = await trx.selectFrom('organizations').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      return row !== undefined;
    },

    /** Throws 409 naming /body/slug when the slug is taken. */
    async create({ slug, name }: { slug: string; name: string }, trx: Db = db): Promise<Organization> {
      const row = await trx
        .insertInto('organizations')
        .values({ slug, name })
        .onConflict((oc) => oc.column('slug').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw slugTaken(slug);
      return toOrganization(row);
    },

    async update(id: string, patch: { slug?: string | undefined; name?: string | undefined }, trx: Db = db): Promise<Organization | undefined> {
      const values = { ...(patch.slug !== undefined ? { slug: patch.slug } : {}), ...(patch.name !== undefined ? { name: patch.name } : {}) };
      try {
        const row = await trx.updateTable('organizations').set(values).where('id', '=', id).returningAll().executeTakeFirst();
        return row && toOrganization(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw slugTaken(patch.slug ?? '');
        throw error;
      }
    },

    /** The users holding any membership in the organization. */
    async memberUserIds(id: string, trx: Db = db): Promise<string[]> {
      const rows = await trx.selectFrom('memberships').select('user_id').distinct().where('organization_id', '=', id).execute();
      return rows.map((r) => r.user_id);
    },

    /**
     * Deletes the organization; foreign keys cascade to its projects, memberships, roles, keys and
     * services. Health history has no foreign key (it is written in batches that must not fail on
     * a vanished tenant), so it is deleted here. The audit log keeps its records on purpose.
     */
    async delete(id: string, trx: Transaction<Database>): Promise<boolean> {
      await trx.deleteFrom('health_samples').where('organization_id', '=', id).execute();
      await trx.deleteFrom('health_events').where('organization_id', '=', id).execute();
      const result = await trx.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type OrganizationsRepository = ReturnType<typeof createOrganizationsRepository>;

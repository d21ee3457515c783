/** Projects of an organization. Every query takes the organization: another one's project does not exist. */
import type { Kysely, Transaction } from 'kysely';
import type { Project } from '../../../contracts/tenancy-api.ts';
import type { Database } from '../../infra/database/schema.ts';
import { AppError } from '../../platform/errors/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

type Db = Kysely<Database> | Transaction<Database>;

const toProject = (row: { id: string; organization_id: string; slug: string; name: string; created_at: unknown }): Project => ({
  id: row.id,
  organizationId: row.organization_id,
  slug: row.slug,
  name: row.name,
  // Generated<Timestamp> selects as its column type, not as Date; pg returns a Date.
  createdAt: (row.created_at as Date).toISOString(),
});

const slugTaken = (slug: string) =>
  new AppError('WK_ERR_PROJECT_SLUG_TAKEN', `/body/slug: a project with the slug "${slug}" already exists in this organization`, {
    fieldErrors: [{ pointer: '/body/slug', detail: 'is taken' }],
  });

export function createProjectsRepository(db: Kysely<Database>) {
  return {
    async list(organizationId: string, trx: Db = db): Promise<Project[]> {
      const rows = await trx.selectFrom('projects').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toProject);
    },

    async find(organizationId: string, id: string, trx: Db = db): Promise<Project | undefined> {
      const row = await trx.selectFrom('projects').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return row && toProject(row);
    },

    async count(organizationId: string, trx: Db = db): Promise<number> {
      const { count } = await trx
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow();
      return Number(count);
    },

    /** Throws 409 naming /body/slug when the organization has a project of that slug. */
    async create(organizationId: string, { slug, name }: { slug: string; name: string }, trx: Db = db): Promise<Project> {
      const row = await trx
        .insertInto('projects')
        .values({ organization_id: organizationId, slug, name })
        .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw slugTaken(slug);
      return toProject(row);
    },

    async update(
      organizationId: string,
      id: string,
      patch: { slug?: string | undefined; name?: string | undefined },
      trx: Db = db,
    ): Promise<Project | undefined> {
      const values = { ...(patch.slug !== undefined ? { slug: patch.slug } : {}), ...(patch.name !== undefined ? { name: patch.name } : {}) };
      try {
        const row = await trx
          .updateTable('projects')
          .set(values)
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && toProject(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw slugTaken(patch.slug ?? '');
        throw error;
      }
    },

    /** The users holding a membership in this project alone. */
    async memberUserIds(organizationId: string, id: string, trx: Db = db): Promise<string[]> {
      const rows = await trx
        .selectFrom('memberships')
        .select('user_id')
        .distinct()
        .where('organization_id', '=', organizationId)
        .where('project_id', '=', id)
        .execute();
      return rows.map((r) => r.user_id);
    },

    /**
     * Deletes the project; foreign keys cascade to its memberships, keys and services. Its health
     * history has no foreign key, so it goes here, in the same transaction.
     */
    async delete(organizationId: string, id: string, trx: Transaction<Database>): Promise<boolean> {
      await trx.deleteFrom('health_samples').where('organization_id', '=', organizationId).where('project_id', '=', id).execute();
      await trx.deleteFrom('health_events').where('organization_id', '=', organizationId).where('project_id', '=', id).execute();
      const result = await trx.deleteFrom('projects').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ProjectsRepository = ReturnType<typeof createProjectsRepository>;

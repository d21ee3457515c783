/**
 * The project's declared metrics: those of the config file (Watchkeeper's own project only,
 * read-only) and those stored through the API (migration 0014). A name is declared once per
 * project: the API cannot shadow a config-file declaration.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DeclaredMetric, DeclaredMetricBody } from '../../../../contracts/declared-metrics.ts';
import { SYSTEM_PROJECT_ID } from '../../../../contracts/tenancy.ts';
import type { Database } from '../../../infra/database/schema.ts';
import { AppError } from '../../../platform/errors/index.ts';

export interface ListedDeclaration extends DeclaredMetric {
  source: 'config' | 'api';
  updatedAt?: Date;
}

type Within = (trx: Transaction<Database>) => Promise<void>;

export function createDeclaredMetricsRepository(db: Kysely<Database>, fromConfig: readonly DeclaredMetric[]) {
  const configured = new Map(fromConfig.map((metric) => [metric.name, metric]));
  const none: ReadonlyMap<string, DeclaredMetric> = new Map();
  const configOf = (projectId: string) => (projectId === SYSTEM_PROJECT_ID ? configured : none);

  function refuseConfigured(projectId: string, name: string): void {
    if (configOf(projectId).has(name))
      throw new AppError('WK_ERR_METRIC_DECLARATION_READ_ONLY', `${name} is declared in the config file (declaredMetrics); change it there`);
  }

  return {
    async list(projectId: string): Promise<ListedDeclaration[]> {
      const rows = await db.selectFrom('declared_metrics').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
      const stored = rows.map((row): ListedDeclaration => ({ name: row.name, ...row.declaration, source: 'api', updatedAt: row.updated_at }));
      const config = [...configOf(projectId).values()].map((metric): ListedDeclaration => ({ ...metric, source: 'config' }));
      return [...config, ...stored.filter((metric) => !configOf(projectId).has(metric.name))].sort((a, b) => (a.name < b.name ? -1 : 1));
    },

    async get(projectId: string, name: string): Promise<ListedDeclaration | undefined> {
      const config = configOf(projectId).get(name);
      if (config) return { ...config, source: 'config' };
      const row = await db.selectFrom('declared_metrics').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && { name: row.name, ...row.declaration, source: 'api', updatedAt: row.updated_at };
    },

    /** The declarations of these names in the project, for checking a push. */
    async of(projectId: string, names: readonly string[]): Promise<Map<string, DeclaredMetric>> {
      const found = new Map<string, DeclaredMetric>();
      if (names.length === 0) return found;
      const rows = await db
        .selectFrom('declared_metrics')
        .select(['name', 'declaration'])
        .where('project_id', '=', projectId)
        .where('name', 'in', names)
        .execute();
      for (const row of rows) found.set(row.name, { name: row.name, ...row.declaration });
      for (const name of names) {
        const config = configOf(projectId).get(name);
        if (config) found.set(name, config);
      }
      return found;
    },

    /** Declares or redeclares; true when it is new. `within` runs in its transaction (the audit record). */
    async put(projectId: string, name: string, declaration: DeclaredMetricBody, within?: Within): Promise<boolean> {
      refuseConfigured(projectId, name);
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('declared_metrics')
          .values({ project_id: projectId, name, declaration: JSON.stringify(declaration) })
          .onConflict((conflict) =>
            conflict.columns(['project_id', 'name']).doUpdateSet((eb) => ({ declaration: eb.ref('excluded.declaration'), updated_at: new Date() })),
          )
          // xmax is 0 for a row this statement inserted, and not for one it updated.
          .returning(sql<boolean>`xmax = 0`.as('created'))
          .executeTakeFirstOrThrow();
        await within?.(trx);
        return row.created;
      });
    },

    async remove(projectId: string, name: string, within?: Within): Promise<void> {
      refuseConfigured(projectId, name);
      await db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('declared_metrics').where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
        if (result.numDeletedRows === 0n) throw new AppError('WK_ERR_METRIC_NOT_DECLARED', `${name} is not declared in this project`);
        await within?.(trx);
      });
    },
  };
}

export type DeclaredMetricsRepository = ReturnType<typeof createDeclaredMetricsRepository>;

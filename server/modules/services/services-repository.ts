/**
 * Stored external services (the ones managed through the API), always within one tenant scope.
 * Every method takes an optional transaction so a caller can commit a change with its audit record.
 */
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import { externalServiceConfigSchema, type ExternalService } from '../../../contracts/services.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { Database } from '../../infra/database/index.ts';
import type { ExternalServicesTable } from '../../infra/database/schema.ts';

export interface StoredService {
  scope: TenantScope;
  service: ExternalService;
  createdAt: Date;
  updatedAt: Date;
}

export type Executor = Kysely<Database> | Transaction<Database>;

// schema.ts declares these columns as Generated<Timestamp>, a ColumnType nested in a ColumnType,
// so Kysely types the selected value as the wrapper; pg returns a Date.
const toDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

function toStored(row: Selectable<ExternalServicesTable>): StoredService {
  // The row was validated on the way in; parsing again applies defaults added since and catches
  // a definition a newer schema no longer accepts, naming the row instead of failing later.
  const parsed = externalServiceConfigSchema.safeParse({ ...(row.definition as object), name: row.name });
  if (!parsed.success) {
    throw new Error(
      `stored service "${row.name}" (${row.id}) no longer matches the service schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    scope: { organizationId: row.organization_id, projectId: row.project_id },
    service: parsed.data,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** The stored definition leaves the name out: it lives in its own (unique) column. */
function definitionOf(service: ExternalService): string {
  const { name: _name, ...definition } = service;
  return JSON.stringify(definition);
}

export function createServicesRepository({ db }: { db: Kysely<Database> }) {
  const scoped = (executor: Executor, scope: TenantScope) =>
    executor.selectFrom('external_services').selectAll().where('organization_id', '=', scope.organizationId).where('project_id', '=', scope.projectId);

  return {
    /** Runs `work` in one transaction: a change and its audit record commit together or not at all. */
    transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    async list(scope: TenantScope, trx: Executor = db): Promise<StoredService[]> {
      const rows = await scoped(trx, scope).orderBy('name').execute();
      return rows.map(toStored);
    },

    /**
     * Every stored service of every tenant: what this instance must check. A row that no longer
     * parses is passed to `onInvalid` and left out, so one bad row does not stop everyone's checks.
     */
    async listAll(onInvalid: (error: Error) => void, trx: Executor = db): Promise<StoredService[]> {
      const rows = await trx.selectFrom('external_services').selectAll().orderBy('organization_id').orderBy('project_id').orderBy('name').execute();
      return rows.flatMap((row) => {
        try {
          return [toStored(row)];
        } catch (error) {
          onInvalid(error as Error);
          return [];
        }
      });
    },

    /**
     * Changes whenever any stored service is added, changed or removed (a change sets updated_at;
     * the definition is hashed too), for a fraction of the cost of reading and parsing every row:
     * an instance skips its periodic sync when nothing changed.
     */
    async fingerprint(trx: Executor = db): Promise<string> {
      const { rows } = await sql<{ n: string; h: string | null }>`
        SELECT count(*) AS n, sum(hashtextextended(id::text || updated_at::text || definition::text, 0)) AS h FROM external_services
      `.execute(trx);
      return `${rows[0]?.n ?? 0}:${rows[0]?.h ?? 0}`;
    },

    async count(scope: TenantScope, trx: Executor = db): Promise<number> {
      const row = await trx
        .selectFrom('external_services')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', scope.organizationId)
        .where('project_id', '=', scope.projectId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async get(scope: TenantScope, name: string, trx: Executor = db): Promise<StoredService | undefined> {
      const row = await scoped(trx, scope).where('name', '=', name).executeTakeFirst();
      return row ? toStored(row) : undefined;
    },

    /** Resolves undefined when the scope already has a service with that name. */
    async create(scope: TenantScope, service: ExternalService, trx: Executor = db): Promise<StoredService | undefined> {
      const row = await trx
        .insertInto('external_services')
        .values({ organization_id: scope.organizationId, project_id: scope.projectId, name: service.name, definition: definitionOf(service) })
        .onConflict((conflict) => conflict.columns(['organization_id', 'project_id', 'name']).doNothing())
        .returningAll()
        .executeTakeFirst();
      return row ? toStored(row) : undefined;
    },

    /** Replaces the definition; resolves undefined when there is no such service. */
    async update(scope: TenantScope, service: ExternalService, trx: Executor = db): Promise<StoredService | undefined> {
      const row = await trx
        .updateTable('external_services')
        .set({ definition: definitionOf(service), updated_at: sql<NonNullable<Updateable<ExternalServicesTable>['updated_at']>>`now()` })
        .where('organization_id', '=', scope.organizationId)
        .where('project_id', '=', scope.projectId)
        .where('name', '=', service.name)
        .returningAll()
        .executeTakeFirst();
      return row ? toStored(row) : undefined;
    },

    async delete(scope: TenantScope, name: string, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .deleteFrom('external_services')
        .where('organization_id', '=', scope.organizationId)
        .where('project_id', '=', scope.projectId)
        .where('name', '=', name)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ServicesRepository = ReturnType<typeof createServicesRepository>;

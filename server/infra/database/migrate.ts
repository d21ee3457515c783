/** Applies pending migrations; safe to run from several instances at once (Kysely takes a lock). */
import { Migrator, type Kysely } from 'kysely';
import { migrations, LATEST_MIGRATION } from '../../migrations/index.ts';

export interface MigrationOutcome {
  applied: string[];
  current: string | undefined;
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, { cause: error });
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, current: await currentSchemaVersion(db) };
}

/** The name of the newest applied migration, or undefined when none is applied. */
export async function currentSchemaVersion(db: Kysely<unknown>): Promise<string | undefined> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt).at(-1)?.name;
}

export function isSchemaCurrent(version: string | undefined): boolean {
  return version === LATEST_MIGRATION;
}

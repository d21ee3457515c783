/** On-disk size of tables, from PostgreSQL's own accounting: heap, TOAST and indexes. */
import { sql, type Kysely } from 'kysely';

export interface RelationSize {
  table: string;
  rows: number;
  heapBytes: number;
  toastBytes: number;
  indexBytes: number;
  /** pg_total_relation_size: heap + TOAST + indexes (with free space and visibility maps). */
  totalBytes: number;
}

export async function relationSizes(db: Kysely<unknown>, tables: readonly string[]): Promise<RelationSize[]> {
  const sizes: RelationSize[] = [];
  for (const table of tables) {
    const { rows } = await sql<{ rows: string; heap: string; toast: string; indexes: string; total: string }>`
      SELECT (SELECT count(*) FROM ${sql.table(table)}) AS rows,
             pg_relation_size(c.oid) AS heap,
             coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast,
             pg_indexes_size(c.oid) AS indexes,
             pg_total_relation_size(c.oid) AS total
      FROM pg_class c WHERE c.oid = ${table}::regclass
    `.execute(db);
    const row = rows[0]!;
    sizes.push({
      table,
      rows: Number(row.rows),
      heapBytes: Number(row.heap),
      toastBytes: Number(row.toast),
      indexBytes: Number(row.indexes),
      totalBytes: Number(row.total),
    });
  }
  return sizes;
}

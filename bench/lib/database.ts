/**
 * The bench database: a fresh one on DATABASE_URL's server (created and dropped, as the tests
 * do), or on an embedded PostgreSQL the harness starts when DATABASE_URL is unset, so the queries
 * Watchkeeper makes can be counted from pg_stat_database either way.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/infra/database/embedded-postgres.ts';

export interface BenchDatabase {
  url: string;
  name: string;
  mode: 'server' | 'embedded';
  /** Transactions committed or rolled back in the bench database so far (as far as flushed). */
  transactions(): Promise<number>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  // Connected to `postgres`, not the bench database, so reading the counters does not move them.
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase({ serverUrl }: { serverUrl?: string } = {}): Promise<BenchDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let embeddedDir: string | undefined;
  if (!serverUrl) {
    embeddedDir = mkdtempSync(join(tmpdir(), 'watchkeeper-bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: embeddedDir, logger: pino({ level: 'warn' }), ephemeral: true });
  }
  const server = serverUrl ?? embedded!.url;
  const name = `wk_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onAdmin(server, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(server, name),
    name,
    mode: embedded ? 'embedded' : 'server',
    transactions: () =>
      onAdmin(server, async (client) => {
        const { rows } = await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [name]);
        return Number(rows[0]?.n ?? 0);
      }),
    async drop() {
      await onAdmin(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      if (embedded) {
        await embedded.stop();
        rmSync(embedded.dataDir, { recursive: true, force: true });
      }
      if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
    },
  };
}

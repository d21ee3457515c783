/**
 * Once per test run: the PostgreSQL every test database is created in. DATABASE_URL when set
 * (CI sets it to the machine's server), otherwise a throwaway embedded PostgreSQL — so `npm test`
 * passes on a fresh machine with no server installed. And dist/ built if stale, so the tests that
 * spawn `bin/watchkeeper.js` run the compiled program production runs, built once rather than
 * by whichever test spawns it first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../server/infra/database/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseMode: 'server' | 'embedded';
    redisUrl: string | undefined;
  }
}

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url)), '--if-stale'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const ci = process.env.CI === 'true';
  if (ci && !process.env.WATCHKEEPER_TEST_EMBEDDED && !process.env.DATABASE_URL) {
    throw new Error('CI=true but DATABASE_URL is not set: CI must test against the PostgreSQL server (set WATCHKEEPER_TEST_EMBEDDED=1 for the embedded pass)');
  }
  if (ci && !process.env.WATCHKEEPER_TEST_EMBEDDED && !process.env.REDIS_URL) {
    throw new Error('CI=true but REDIS_URL is not set: CI must test against the Redis server');
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, logger: pino({ level: 'warn' }), ephemeral: true });
    databaseUrl = embedded.url;
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('databaseMode', embedded ? 'embedded' : 'server');
  project.provide('redisUrl', process.env.REDIS_URL || undefined);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  // As root its cluster lives outside the (0700) temporary directory: see postgres-os-user.ts.
  if (embedded) rmSync(embedded.dataDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Test helpers: a fresh database per test file, a Redis key prefix per app, and the app built
 * with test configuration — the same plugin `main.ts` runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildServer } from '../server/app.ts';
import { loadConfig, type Config } from '../server/infra/config/index.ts';
import type { ExternalServiceInput } from '../contracts/services.ts';

export const isCI = process.env.CI === 'true';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test server; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = uniqueName('wk_test');
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The Redis URL for tests, or undefined when none is configured (never undefined in CI). */
export function testRedisUrl(): string | undefined {
  return inject('redisUrl');
}

export interface TestConfigOptions {
  databaseUrl?: string;
  redis?: boolean;
  env?: Record<string, string>;
  dataDir?: string;
}

export function createTestConfig({ databaseUrl, redis = false, env = {}, dataDir }: TestConfigOptions = {}): Config {
  const redisUrl = redis ? testRedisUrl() : undefined;
  if (redis && !redisUrl) throw new Error('this test needs REDIS_URL');
  return loadConfig({
    cwd: dataDir ?? tmpdir(),
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir ?? join(tmpdir(), 'watchkeeper-test-data'),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl, CACHE_KEY_PREFIX: `${uniqueName('wk_test')}:` } : {}),
      ...env,
    },
  });
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: TestDatabase;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Builds the app on a fresh database. Health checks are not scheduled unless asked, so a test
 * drives them with `app.health.runNow(...)` and sees deterministic results.
 */
export async function buildTestApp({
  redis = false,
  env = {},
  startHealthChecks = false,
  database,
  services,
}: {
  redis?: boolean;
  env?: Record<string, string>;
  startHealthChecks?: boolean;
  database?: TestDatabase;
  /** External services for the config file, which is written to the app's data directory and read as at boot. */
  services?: ExternalServiceInput[];
} = {}): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-test-'));
  if (services) writeFileSync(join(dataDir, 'watchkeeper.json'), JSON.stringify({ services }));
  const config = createTestConfig({ databaseUrl: db.url, redis, env, dataDir });
  const app = await buildServer({ config, logger: false, startHealthChecks });
  await app.ready();
  return {
    app,
    config,
    database: db,
    dataDir,
    async close() {
      await app.close();
      if (!database) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For tests that need the Redis server. In CI's server pass a missing REDIS_URL is an error, never
 * a silent skip; in the embedded pass (and on a laptop without Redis) they skip, by name.
 */
export function redisAvailability(): { available: boolean; reason: string } {
  const url = testRedisUrl();
  if (url) return { available: true, reason: '' };
  if (isCI && !process.env.WATCHKEEPER_TEST_EMBEDDED) throw new Error('CI server pass without REDIS_URL');
  return { available: false, reason: 'needs REDIS_URL (runs in the CI server pass)' };
}

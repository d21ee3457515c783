/**
 * Test helpers: a fresh database per test file, a Redis key prefix per app, and the app built
 * with test configuration — the same plugin `main.ts` runs.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { buildServer } from '../server/app.ts';
import { loadConfig, type Config } from '../server/infra/config/index.ts';
import { migrateToLatest, type Database } from '../server/infra/database/index.ts';
import { createAccount } from '../server/platform/auth/index.ts';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import type { Permission } from '../contracts/permissions.ts';
import type { ExternalServiceInput } from '../contracts/services.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

export const isCI = process.env.CI === 'true';

const CLI = fileURLToPath(new URL('../bin/watchkeeper.js', import.meta.url));

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
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      // A test process shares two cores with a browser and another worker: its event loop lags
      // for reasons of the machine, not of the app. test/load-shedding.test.ts sets its own.
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
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

export interface TestAppBehindProxy extends TestApp {
  /** Between the app and its database: cut, freeze or slow it to make PostgreSQL fail by real means. */
  proxy: TcpProxy;
}

/**
 * Builds the app on a fresh database it reaches through a TCP proxy (test/tcp-proxy.ts); a test
 * still reaches the database directly at `database.url`. `close()` brings the proxy back first,
 * so the app's pool can end, then closes everything.
 */
export async function buildTestAppBehindProxy({
  env = {},
  ...options
}: Omit<Parameters<typeof buildTestApp>[0] & object, 'database'> = {}): Promise<TestAppBehindProxy> {
  const database = await createTestDatabase();
  const proxy = await proxyTo(database.url);
  const t = await buildTestApp({ ...options, database, env: { ...env, DATABASE_URL: proxy.url(database.url) } });
  return {
    ...t,
    proxy,
    async close() {
      proxy.thaw();
      await proxy.restore();
      await t.close();
      await proxy.close();
      await database.drop();
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

// ---- Accounts, sessions and API keys -------------------------------------------------------

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export interface Credentials {
  /** Headers that authenticate a request: the session cookie plus the CSRF token, or a bearer key. */
  headers: Record<string, string>;
}

export interface SignedInUser extends TestUser, Credentials {
  cookie: string;
  csrfToken: string;
}

/** A password that passes the policy. */
export function testPassword(): string {
  return `Wk-test-${randomBytes(12).toString('base64url')}`;
}

/** An organization with one project, for tests about tenancy. */
export async function createOrganization(
  app: FastifyInstance,
  { slug = uniqueName('org').toLowerCase() }: { slug?: string } = {},
): Promise<{ id: string; projectId: string; slug: string }> {
  const org = await app.database.db.insertInto('organizations').values({ slug, name: slug }).returning('id').executeTakeFirstOrThrow();
  const project = await app.database.db
    .insertInto('projects')
    .values({ organization_id: org.id, slug: 'default', name: 'Default' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: org.id, projectId: project.id, slug };
}

/** Makes an existing user a member of another organization, holding `role` (a built-in role by default). */
export async function joinOrganization(app: FastifyInstance, userId: string, organizationId: string, role = 'owner'): Promise<void> {
  const found = await app.auth.memberships.findRole(organizationId, role);
  if (!found) throw new Error(`no role named ${role}`);
  await app.auth.memberships.setMembership({ userId, organizationId, roleId: found.id });
}

/** Creates an account holding `role` in the organization (the system organization by default). */
export async function createUser(
  app: FastifyInstance,
  {
    role = 'viewer',
    organizationId = SYSTEM_ORGANIZATION_ID,
    projectId = null,
    email = `${uniqueName('user').toLowerCase()}@example.test`,
    password = testPassword(),
  }: { role?: string; organizationId?: string; projectId?: string | null; email?: string; password?: string } = {},
): Promise<TestUser> {
  const user = await createAccount(app.database.db, { email, password, role, organizationId, projectId }, { policy: app.auth.passwordPolicy });
  return { id: user.id, email: user.email, password };
}

/** Signs in through POST /api/auth/login and returns the cookie and CSRF headers to send. */
export async function login(
  app: FastifyInstance,
  { email, password }: { email: string; password: string },
): Promise<Credentials & { cookie: string; csrfToken: string }> {
  // Each sign-in from its own address, so sign-in throttling and rate limits per address do not
  // couple unrelated tests (198.18.0.0/15 is reserved for benchmarking; nothing is sent there).
  const remoteAddress = `198.${18 + randomInt(2)}.${randomInt(256)}.${1 + randomInt(254)}`;
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  const session = response.cookies.find((c) => c.name === 'wk_session');
  if (!session) throw new Error('login set no session cookie');
  const cookie = `wk_session=${session.value}`;
  const { csrfToken } = response.json() as { csrfToken: string };
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

/** createUser then login. */
export async function signIn(app: FastifyInstance, options: Parameters<typeof createUser>[1] = {}): Promise<SignedInUser> {
  const user = await createUser(app, options);
  return { ...user, ...(await login(app, user)) };
}

/** Makes an API key directly (its creator is a new owner of the organization unless given). */
export async function createApiKey(
  app: FastifyInstance,
  {
    organizationId = SYSTEM_ORGANIZATION_ID,
    projectId = null,
    scopes,
    createdBy,
    expiresAt = null,
    name = 'test key',
  }: { organizationId?: string; projectId?: string | null; scopes: Permission[]; createdBy?: string; expiresAt?: Date | null; name?: string },
): Promise<Credentials & { id: string; key: string; prefix: string }> {
  const creator = createdBy ?? (await createUser(app, { role: 'owner', organizationId })).id;
  const { key, secret } = await app.auth.apiKeys.create({ organizationId, projectId, createdBy: creator, name, scopes, expiresAt });
  return { id: key.id, key: secret, prefix: key.prefix, headers: { authorization: `Bearer ${secret}` } };
}

/**
 * For suites about something other than access control: signs in a user (an owner of the system
 * organization by default) and makes every `app.inject` of this app carry the session cookie and
 * CSRF token, unless a request brings its own cookie or Authorization header.
 */
export async function authenticateAll(app: FastifyInstance, options: Parameters<typeof createUser>[1] = { role: 'owner' }): Promise<SignedInUser> {
  const user = await signIn(app, options);
  const inject = app.inject.bind(app) as (opts: object) => ReturnType<FastifyInstance['inject']>;
  app.inject = ((opts: { headers?: Record<string, string> }) => {
    const own = opts.headers ?? {};
    const headers = 'cookie' in own || 'authorization' in own ? own : { ...user.headers, ...own };
    return inject({ ...opts, headers });
  }) as FastifyInstance['inject'];
  return user;
}

export interface MigratedDatabase {
  database: TestDatabase;
  db: Kysely<Database>;
  /** Destroys the pool and drops the database. */
  close(): Promise<void>;
}

/**
 * A plain pg pool for a test's own queries. The listener matters: dropping a test database WITH
 * (FORCE) terminates its connections, and an idle pooled client that hears of it before its own
 * end re-emits the error on the pool, which would otherwise crash the test worker.
 */
export function testPool(connectionString: string, max = 1): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}

/** A fresh test database with every migration applied, for repository tests that need no app. */
export async function createMigratedDatabase({ poolMax = 4 }: { poolMax?: number } = {}): Promise<MigratedDatabase> {
  const database = await createTestDatabase();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: testPool(database.url, poolMax) }) });
  await migrateToLatest(db as Kysely<unknown>);
  return {
    database,
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

/**
 * Runs the real `watchkeeper` command in a child process, with this process's environment, no
 * Redis and silent logs unless `env` says otherwise; resolves its exit code and output.
 */
export function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

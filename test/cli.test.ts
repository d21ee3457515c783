/** The `watchkeeper` command as an operator runs it: `node bin/watchkeeper.js …`. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SYSTEM_DIR, systemClusterDir } from '../server/infra/database/postgres-os-user.ts';
import { LATEST_MIGRATION } from '../server/migrations/index.ts';
import { createTestDatabase } from './helpers.ts';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../bin/watchkeeper.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-cli-'));
  dirs.push(dir);
  return dir;
}

/**
 * Removes, after the tests, the embedded cluster of `<dir>/data`: when the tests run as root it
 * lives under /var/lib/watchkeeper (the postgres OS user cannot enter a 0700 mkdtemp directory).
 */
const clustersOf: string[] = [];
function removeClusterAfterwards(dir: string): void {
  clustersOf.push(join(dir, 'data'));
}
afterAll(() => {
  for (const dataDir of clustersOf) {
    if (existsSync(dataDir)) rmSync(systemClusterDir(dataDir, DEFAULT_SYSTEM_DIR), { recursive: true, force: true });
  }
});

/** Runs the command in an empty directory with only the given configuration in its environment. */
function watchkeeper(
  args: string[],
  { env = {}, cwd = emptyDir() }: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, LOG_LEVEL: 'warn', DATA_DIR: join(cwd, 'data'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

async function closedPort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('watchkeeper config check', () => {
  it('prints the effective configuration with secrets masked', async () => {
    const { code, stdout, stderr } = await watchkeeper(['config', 'check'], {
      env: { PORT: '9090', DATABASE_URL: 'postgres://wk:s3cret-pw@db.example:5432/watchkeeper', REDIS_URL: 'redis://:hunter2@cache.example:6379/0' },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^configuration is valid\n/);
    expect(stdout).toMatch(/^PORT +9090$/m);
    expect(stdout).toMatch(/^DATABASE_URL +postgres:\/\/\*\*\*\*:\*\*\*\*@db\.example:5432\/watchkeeper$/m);
    expect(stdout).toMatch(/^REDIS_URL +redis:\/\/:\*\*\*\*@cache\.example:6379\/0$/m);
    expect(stdout).not.toMatch(/s3cret-pw|hunter2/);
  }, 30_000);

  it('names the config file and the services and metrics it declares', async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'watchkeeper.yaml'),
      'server:\n  port: 9191\nservices:\n  - name: billing-api\n    type: tcp\n    host: billing.internal\n    port: 443\ndeclaredMetrics:\n  - name: invoices_total\n    type: counter\n',
    );
    const { code, stdout } = await watchkeeper(['config', 'check'], { cwd });
    expect(code).toBe(0);
    expect(stdout).toContain(`configuration is valid (file: ${join(cwd, 'watchkeeper.yaml')})`);
    expect(stdout).toMatch(/^PORT +9191$/m);
    expect(stdout).toContain('external services from the config file: billing-api');
    expect(stdout).toContain('declared metrics from the config file: invoices_total (counter)');
  }, 30_000);

  it('exits 1 with one line naming the bad variable', async () => {
    const { code, stdout, stderr } = await watchkeeper(['config', 'check'], { env: { HEALTH_TIMEOUT_MS: 'soon' } });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^watchkeeper: Invalid configuration: HEALTH_TIMEOUT_MS: .+ \(got "soon"\)\n$/);
  }, 30_000);
});

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('watchkeeper start', () => {
  it('starts from a private (0700) directory with the defaults — embedded PostgreSQL in ./data — gets ready, and exits 0 on SIGTERM', async () => {
    const cwd = emptyDir(); // mkdtemp: 0700, as a checkout under /root is
    removeClusterAfterwards(cwd);
    const port = await closedPort();
    const child = spawn(process.execPath, [bin, 'start'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    try {
      await vi.waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`watchkeeper exited with ${child.exitCode}: ${output}`);
          expect(await httpStatus(port, '/health/readiness')).toBe(200);
        },
        { timeout: 150_000, interval: 250 },
      );
      expect(statSync(cwd).mode & 0o777).toBe(0o700); // left as it was
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);

  it('refuses to start on a bad value with one line naming the variable, never printing a secret', async () => {
    const { code, stdout, stderr } = await watchkeeper(['start'], { env: { PORT: '99999', DATABASE_URL: 'mysql://root:hunter2@db/wk' } });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(/^watchkeeper: Invalid configuration: PORT: .+ \(got "99999"\) \| DATABASE_URL: .+ \(got \(hidden\)\)\n$/);
    expect(stderr).not.toContain('hunter2');
  }, 30_000);
});

describe('watchkeeper migrate', () => {
  it('applies pending migrations to the configured database, then finds the schema current', async () => {
    const database = await createTestDatabase();
    try {
      const first = await watchkeeper(['migrate'], { env: { DATABASE_URL: database.url } });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`^applied: 0001-tenancy-and-health(, [\\w-]+)*\\nschema version: ${LATEST_MIGRATION}\\n$`));
      const second = await watchkeeper(['migrate'], { env: { DATABASE_URL: database.url } });
      expect(second).toMatchObject({ code: 0, stdout: `schema is current (${LATEST_MIGRATION})\n` });
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('migrates the embedded PostgreSQL under DATA_DIR when no DATABASE_URL is set, and stops it again', async () => {
    const cwd = emptyDir();
    removeClusterAfterwards(cwd);
    const first = await watchkeeper(['migrate'], { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`schema version: ${LATEST_MIGRATION}`);
    // The cluster was stopped and its lock released: a second run can start it again.
    const second = await watchkeeper(['migrate'], { cwd });
    expect(second).toMatchObject({ code: 0, stdout: `schema is current (${LATEST_MIGRATION})\n` });
  }, 120_000);

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const port = await closedPort();
    const { code, stderr } = await watchkeeper(['migrate'], { env: { DATABASE_URL: `postgres://wk@127.0.0.1:${port}/wk` } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^watchkeeper: .*ECONNREFUSED/);
  }, 30_000);
});

describe('watchkeeper help', () => {
  it('prints usage for help and exits 2 on an unknown command', async () => {
    const help = await watchkeeper(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: watchkeeper <command>/);
    expect(help.stdout).toMatch(/config check +validate the configuration and print it, secrets masked/);
    const unknown = await watchkeeper(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^watchkeeper: unknown command "frobnicate"\n\nUsage: watchkeeper <command>/);
  }, 30_000);
});

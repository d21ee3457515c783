/**
 * Production runs the compiled program: `bin/watchkeeper.js` starts dist/ with plain Node, no
 * TypeScript loader, and nothing that compiles TypeScript is a production dependency.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const lockfile = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
const COMPILERS = ['tsx', 'esbuild', 'typescript'];

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * What `npm ci --omit=dev && npm run build` leaves to run, minus everything else: bin/, the build
 * script, dist/ and package.json, and a node_modules holding only the production dependencies
 * (linked to the checkout's). No TypeScript source, no tsx, no compiler.
 */
function productionLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-production-'));
  dirs.push(dir);
  for (const path of ['bin', 'dist', 'package.json', 'scripts/build.js']) cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
  for (const [path, entry] of Object.entries(lockfile.packages)) {
    if (!path.startsWith('node_modules/') || path.lastIndexOf('node_modules/') !== 0 || entry.dev) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(join(repoRoot, path), join(dir, path), 'dir');
  }
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(child: ChildProcess): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, exited: new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code))) };
}

describe('the production runtime', () => {
  it('has no TypeScript compiler or loader among the production dependencies', () => {
    for (const name of COMPILERS) expect(lockfile.packages[`node_modules/${name}`], name).toMatchObject({ dev: true });
    const tree = spawnSync('npm', ['ls', '--omit=dev', '--all', '--json', ...COMPILERS], { cwd: repoRoot, encoding: 'utf8' });
    const listed = JSON.parse(tree.stdout) as { dependencies?: Record<string, unknown> };
    expect(listed.dependencies ?? {}).toEqual({});
  }, 30_000);

  it('starts and serves from dist/ with no sources, no tsx and no compiler installed', async () => {
    const dir = productionLayout();
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => !file.startsWith('node_modules'));
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(readdirSync(join(dir, 'node_modules'))).not.toEqual(expect.arrayContaining(['tsx']));

    const database = await createTestDatabase();
    try {
      const port = await freePort();
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        DATABASE_URL: database.url,
        REDIS_URL: '',
        DATA_DIR: join(dir, 'data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      };

      // The password blocklist is a data file: the build must ship it beside the compiled module.
      const weak = spawnSync(process.execPath, ['bin/watchkeeper.js', 'user', 'create', '--email', 'ops@example.test', '--admin'], {
        cwd: dir,
        env: { ...env, WATCHKEEPER_PASSWORD: 'unbelievable' },
        encoding: 'utf8',
      });
      expect(weak.stderr).toContain('is one of the most commonly used passwords');
      expect(weak.status).toBe(1);

      const child = spawn(process.execPath, ['bin/watchkeeper.js', 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const server = run(child);
      try {
        await Promise.race([
          expect.poll(() => server.output(), { timeout: 45_000, interval: 100 }).toContain('Server listening at'),
          server.exited.then((code) => Promise.reject(new Error(`exited ${code} before listening: ${server.output()}`))),
        ]);
        expect((await fetch(`http://127.0.0.1:${port}/health/liveness`)).status).toBe(200);
        // The version comes from package.json, found from dist/server/ as from server/.
        const api = (await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json()) as { info: { version: string } };
        expect(api.info.version).toBe(packageJson.version);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await server.exited, server.output()).toBe(0);
    } finally {
      await database.drop();
    }
  }, 90_000);
});

describe('npm start', () => {
  // npm runs a script through sh and forwards SIGTERM to it; a shell that forks instead of
  // exec'ing dies of it and leaves the server running, orphaned, never told to shut down (as a
  // process manager or `docker stop` stopping `npm start` would find).
  it('hands SIGTERM to the server, which shuts down gracefully, and exits 0', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'wk-npm-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    // Its own process group, so that cleanup reaches a server the shell left behind.
    const child = spawn('npm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const npm = run(child);
    try {
      await Promise.race([
        expect.poll(() => npm.output(), { timeout: 45_000, interval: 100 }).toContain('Server listening at'),
        npm.exited.then((code) => Promise.reject(new Error(`exited ${code} before listening: ${npm.output()}`))),
      ]);
      child.kill('SIGTERM');
      expect(await npm.exited, npm.output()).toBe(0);
      expect(npm.output()).toContain('shutdown complete');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone: nothing was left behind
      }
      await database.drop();
    }
  }, 90_000);
});

describe('npm run build', () => {
  it('leaves one complete dist/ when two processes build the same checkout at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-build-'));
    dirs.push(dir);
    for (const path of ['server', 'contracts', 'web', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.js'])
      cpSync(join(repoRoot, path), join(dir, path), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');

    const builds = [0, 1].map(() => run(spawn(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })));
    for (const build of builds) expect(await build.exited, build.output()).toBe(0);

    expect(readdirSync(dir).filter((name) => name.startsWith('.dist-'))).toEqual([]);
    expect(readdirSync(join(dir, 'dist/server/platform/auth/data'))).toEqual(['common-passwords.txt']);
    const help = spawnSync(process.execPath, ['dist/server/cli.js', 'help'], { cwd: dir, encoding: 'utf8' });
    expect(help.stdout).toContain('Usage: watchkeeper <command>');
    // Built, so a third start builds nothing.
    const again = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: dir, encoding: 'utf8' });
    expect(again.stderr).toBe('');
  }, 120_000);
});

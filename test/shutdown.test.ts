/**
 * Graceful shutdown of the real process: `node bin/watchkeeper.js start`, then SIGTERM. Readiness
 * fails at once while requests are still served for SHUTDOWN_DRAIN_DELAY_MS (so a load balancer
 * can follow); then connections are refused, requests being worked on get their answer,
 * connections that answer nobody (idle, half-sent) are closed, resources close and the process
 * exits 0 — or 1 when finishing outlasts SHUTDOWN_TIMEOUT_MS, or on a second signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../server/infra/database/embedded-postgres.ts';
import { createTestDatabase, type TestDatabase } from './helpers.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

interface Running {
  child: ChildProcess;
  port: number;
  logs: LogLine[];
  exited: Promise<number | null>;
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
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

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The environment of the test run minus anything that configures Watchkeeper. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

async function startWatchkeeper(env: Record<string, string>, dataDir = mkdtempSync(join(tmpdir(), 'wk-shutdown-'))): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/watchkeeper.js', 'start'], {
    cwd: repoRoot,
    env: { ...baseEnvironment(), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', SHUTDOWN_DRAIN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 30, msg: line });
      }
    }
    waiters.forEach((wake) => wake());
  });

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 45_000) =>
    new Promise<LogLine>((resolveLine, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) {
          done();
          resolveLine(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`log line not seen; stderr: ${stderr}; logs: ${logs.map((l) => l.msg).join(' | ')}`));
      }, timeoutMs);
      const onExit = () => {
        check();
        done();
        reject(new Error(`watchkeeper exited (${child.exitCode}); stderr: ${stderr}; logs: ${logs.map((l) => l.msg).join(' | ')}`));
      };
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', onExit);
      };
      waiters.add(check);
      child.once('exit', onExit);
      check();
    });

  await waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('Server listening at'));
  return { child, port, logs, exited, waitForLog };
}

function get(port: number, path: string): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolveResponse, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a new connection to the port meets: 'connected', or the error code (ECONNREFUSED). */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolveOutcome) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveOutcome('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolveOutcome(error.code ?? 'error'));
  });
}

/** A raw connection: what it has received so far, and when the server closed it. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<void>; waitFor(text: string): Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  const wakers = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
    wakers.forEach((wake) => wake());
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
  cleanups.push(() => void socket.destroy());
  const waitFor = (text: string) =>
    new Promise<void>((resolveSeen, reject) => {
      const check = () => {
        if (received.includes(text)) {
          wakers.delete(check);
          resolveSeen();
        }
      };
      wakers.add(check);
      void closed.then(() => {
        check();
        reject(new Error(`connection closed before ${JSON.stringify(text)}; received ${JSON.stringify(received)}`));
      });
      check();
    });
  return { socket, received: () => received, closed, waitFor };
}

/** Holds an ACCESS EXCLUSIVE lock on `users`, so a request that counts accounts (GET /setup) waits. */
async function lockUsers(url: string): Promise<{ release(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await admin.query('ROLLBACK');
    await admin.end();
  };
  cleanups.push(release);
  return { release };
}

const isArrivalOf = (url: string) => (line: LogLine) => line.msg === 'incoming request' && (line.req as { url?: string } | undefined)?.url === url;
const DRAINING = 'shutting down: readiness fails; still serving for the drain delay';
const STOPPED_ACCEPTING = 'shutting down: no longer accepting; finishing in-flight requests';

/** A request whose body is still being uploaded: in flight until `finish()` sends the rest. */
function slowUpload(port: number): { sent: Promise<void>; response: Promise<{ status: number; body: string }>; finish(): void } {
  const body = JSON.stringify({ note: 'a body that arrives slowly' });
  const half = Math.floor(body.length / 2);
  let req!: ClientRequest;
  const response = new Promise<{ status: number; body: string }>((resolveResponse, reject) => {
    // Not a route: the answer is a 404, but only once the whole body has arrived.
    req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/uploads/slow',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
  });
  const sent = new Promise<void>((resolveSent) => req.write(body.slice(0, half), () => resolveSent()));
  return { sent, response, finish: () => req.end(body.slice(half)) };
}

/** The server has taken the upload in (it is in flight from its point of view, not merely sent). */
const isUploadArrival = isArrivalOf('/uploads/slow');

describe('graceful shutdown of `watchkeeper start`', () => {
  let database: TestDatabase;

  async function testDatabase(): Promise<TestDatabase> {
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    return database;
  }

  it('on SIGTERM fails readiness at once but keeps serving for SHUTDOWN_DRAIN_DELAY_MS, then refuses connections and exits 0', async () => {
    const { url } = await testDatabase();
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_MS: '20000', SHUTDOWN_DRAIN_DELAY_MS: '3000' });
    expect((await get(wk.port, '/health/readiness')).status).toBe(200);
    const upload = slowUpload(wk.port);
    upload.response.catch(() => undefined); // awaited below; a cut upload must fail the test there, not as an unhandled rejection
    await upload.sent;
    await wk.waitForLog(isUploadArrival);

    wk.child.kill('SIGTERM');
    await wk.waitForLog((line) => line.msg === DRAINING);
    // A load balancer polling readiness learns to stop; whatever it still sends, on new
    // connections, is served — and told to reconnect, so it can go elsewhere next time.
    expect((await get(wk.port, '/health/readiness')).status).toBe(503);
    expect(await get(wk.port, '/setup')).toMatchObject({ status: 200, connection: 'close' });
    expect(await get(wk.port, '/docs/json')).toMatchObject({ status: 200, connection: 'close' });
    // An upload that completes during the delay is answered.
    upload.finish();
    const answered = await upload.response;
    expect(answered.status).toBe(404);
    expect(JSON.parse(answered.body)).toMatchObject({ code: 'WK_ERR_ROUTE_NOT_FOUND' });
    expect(wk.logs.map((line) => line.msg)).not.toContain(STOPPED_ACCEPTING);

    await wk.waitForLog((line) => line.msg === STOPPED_ACCEPTING);
    await expect.poll(() => connectOutcome(wk.port), { timeout: 20_000, interval: 50 }).toBe('ECONNREFUSED');
    expect(await wk.exited).toBe(0);
    const messages = wk.logs.map((line) => line.msg);
    expect(messages.indexOf('shutdown complete')).toBeGreaterThan(messages.indexOf(STOPPED_ACCEPTING));
  }, 90_000);

  it('answers a request still being worked on when the drain delay ends, then exits 0', async () => {
    const { url } = await testDatabase();
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_MS: '30000', DATABASE_STATEMENT_TIMEOUT_MS: '60000' });
    const lock = await lockUsers(url);
    const setupPage = get(wk.port, '/setup');
    await wk.waitForLog(isArrivalOf('/setup'));

    wk.child.kill('SIGTERM');
    await wk.waitForLog((line) => line.msg === STOPPED_ACCEPTING);
    await expect.poll(() => connectOutcome(wk.port), { timeout: 20_000, interval: 50 }).toBe('ECONNREFUSED');
    expect(wk.child.exitCode).toBeNull();

    await lock.release();
    expect((await setupPage).status).toBe(200);
    expect(await wk.exited).toBe(0);
    expect(wk.logs.map((line) => line.msg)).toContain('shutdown complete');
  }, 90_000);

  it('closes idle keep-alive, half-sent headers and half-sent bodies at the end of the drain instead of waiting out SHUTDOWN_TIMEOUT_MS', async () => {
    const { url } = await testDatabase();
    // Request deadlines far beyond the test, so that only the drain can close these connections.
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '600000', REQUEST_HEADERS_TIMEOUT_MS: '600000' });
    const liveness = 'GET /health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n';

    const idle = rawConnection(wk.port);
    idle.socket.write(liveness);
    await idle.waitFor('"status":"pass"');

    const halfHeaders = rawConnection(wk.port);
    halfHeaders.socket.write(liveness);
    await halfHeaders.waitFor('"status":"pass"');
    halfHeaders.socket.write('GET /health/liveness HTTP/1.1\r\nHost: local');

    const halfBody = rawConnection(wk.port);
    halfBody.socket.write('POST /uploads/stalled HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"note":"');
    await wk.waitForLog(isArrivalOf('/uploads/stalled'));

    wk.child.kill('SIGTERM');
    expect(await wk.exited).toBe(0);
    await Promise.all([idle.closed, halfHeaders.closed, halfBody.closed]);
    const messages = wk.logs.map((line) => line.msg);
    expect(messages).toContain('shutdown complete');
    expect(messages).not.toContain('shutdown took too long; exiting');
    expect(wk.logs.find((line) => line.msg === 'closed connections whose request had not finished arriving')).toMatchObject({ count: 1 });
  }, 120_000);

  it('shuts down at once on a second signal during the drain delay, still stopping cleanly, and exits 1', async () => {
    const { url } = await testDatabase();
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_DRAIN_DELAY_MS: '600000' });
    const idle = rawConnection(wk.port);
    idle.socket.write('GET /health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await idle.waitFor('"status":"pass"');

    wk.child.kill('SIGTERM');
    await wk.waitForLog((line) => line.msg === DRAINING);
    expect((await get(wk.port, '/health/readiness')).status).toBe(503);
    wk.child.kill('SIGTERM');
    expect(await wk.exited).toBe(1);
    await idle.closed;
    expect(wk.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['second signal: closing every connection now', 'shutdown complete']));
  }, 90_000);

  it('exits 0 even when a health check is stuck behind a database lock at that moment', async () => {
    const { url } = await testDatabase();
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_MS: '8000', HEALTH_INTERVAL_MS: '100', HEALTH_TIMEOUT_MS: '1000' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE kysely_migration IN ACCESS EXCLUSIVE MODE');
    cleanups.push(async () => void (await admin.query('ROLLBACK')));
    // The database check is now blocked; once it has timed out, readiness says so.
    await expect.poll(async () => (await get(wk.port, '/health/readiness')).status, { timeout: 20_000, interval: 100 }).toBe(503);

    wk.child.kill('SIGTERM');
    expect(await wk.exited).toBe(0);
    expect(wk.logs.map((line) => line.msg)).toContain('shutdown complete');
  }, 90_000);

  it('exits 1 when the requests in flight outlast SHUTDOWN_TIMEOUT_MS', async () => {
    const { url } = await testDatabase();
    const wk = await startWatchkeeper({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_MS: '1500', DATABASE_STATEMENT_TIMEOUT_MS: '60000' });
    await lockUsers(url);
    get(wk.port, '/setup').catch(() => undefined);
    await wk.waitForLog(isArrivalOf('/setup'));
    wk.child.kill('SIGTERM');
    expect(await wk.exited).toBe(1);
    expect(wk.logs.find((line) => line.msg === 'shutdown took too long; exiting')).toMatchObject({ level: 50, timeoutMs: 1500 });
  }, 90_000);

  it('stops the embedded PostgreSQL it started, leaving no postmaster and no lock behind', async () => {
    // The cluster is initialised beforehand: on a busy machine a first start's initdb can outlast
    // Fastify's 10 s plugin timeout, and start-up is not what this test is about.
    const prepared = mkdtempSync(join(tmpdir(), 'wk-shutdown-'));
    const cluster = await startEmbeddedPostgres({ dataDir: prepared, logger: pino({ level: 'silent' }), ephemeral: true });
    await cluster.stop();
    // As root the cluster of a 0700 directory lives under /var/lib/watchkeeper (postgres-os-user.ts).
    cleanups.push(() => rmSync(cluster.dataDir, { recursive: true, force: true }));
    const wk = await startWatchkeeper({ SHUTDOWN_TIMEOUT_MS: '20000' }, prepared);
    const started = await wk.waitForLog((line) => line.msg === 'embedded PostgreSQL started');
    const dataDir = prepared;
    const postmasterPid = Number(started.pid);
    expect(started.clusterDir).toBe(cluster.dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, 'watchkeeper.lock'), 'utf8'))).toMatchObject({ pid: wk.child.pid });
    expect((await get(wk.port, '/health/readiness')).status).toBe(200);

    wk.child.kill('SIGTERM');
    expect(await wk.exited).toBe(0);
    expect(wk.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['embedded PostgreSQL stopped', 'shutdown complete']));
    expect(() => process.kill(postmasterPid, 0)).toThrow();
    expect(existsSync(join(dataDir, 'watchkeeper.lock'))).toBe(false);
    expect(existsSync(join(cluster.dataDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);
});

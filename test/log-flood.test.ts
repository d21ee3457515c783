/**
 * An outage is logged as a state change, not per request: with PostgreSQL cut off (a TCP proxy),
 * 200 requests that fail for it write a bounded number of warnings — the outage once, a periodic
 * summary — and its end is logged once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server/app.ts';
import { OUTAGE_SUMMARY_JOB } from '../server/platform/errors/index.ts';
import { createTestConfig, createTestDatabase, signIn, uniqueName, type SignedInUser, type TestDatabase } from './helpers.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

interface LogLine {
  level: number;
  msg: string;
  dependency?: string;
  affectedRequests?: number;
}

const WARN = 40;

describe('logging while the database is down', () => {
  const lines: LogLine[] = [];
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: FastifyInstance;
  let user: SignedInUser;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await proxyTo(database.url);
    dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-test-'));
    const config = createTestConfig({ databaseUrl: proxy.url(database.url), dataDir, env: { DATABASE_POOL_MAX: '3' } });
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    app = await buildServer({ config, logger, startHealthChecks: false });
    await app.ready();
    user = await signIn(app, { role: 'owner' });
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const warnings = () => lines.filter((line) => line.level >= WARN);

  it('writes the outage once and a summary, not a warning per failed request, then its end once', async () => {
    lines.length = 0;
    await proxy.cut();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 10 }, (_, j) =>
        [
          () => app.inject({ method: 'GET', url: '/api/services', headers: user.headers }),
          () =>
            app.inject({
              method: 'POST',
              url: '/api/services',
              headers: user.headers,
              payload: { name: uniqueName('s').toLowerCase().replaceAll('_', '-'), type: 'tcp', host: '127.0.0.1', port: 9 },
            }),
          // A malformed API key: refused without the database.
          () => app.inject({ method: 'GET', url: '/api/services', headers: { authorization: `Bearer wk_${uniqueName('junk')}` } }),
        ][(i * 10 + j) % 3]!(),
      );
      statuses.push(...(await Promise.all(batch)).map((response) => response.statusCode));
    }
    const failed = statuses.filter((status) => status === 503).length;
    expect(failed).toBeGreaterThanOrEqual(100);

    // The outage itself, plus at most one line per pooled connection lost (the pool has 3).
    expect(warnings().length, JSON.stringify(warnings().map((l) => l.msg))).toBeLessThanOrEqual(4);
    expect(warnings().filter((line) => /^database unavailable/.test(line.msg))).toHaveLength(1);

    lines.length = 0;
    await app.scheduler.runNow(OUTAGE_SUMMARY_JOB);
    // Every request answered 503 met the outage once. The malformed keys are refused before any
    // lookup, and their denials are counted in memory (audit/repeated-denials.ts): they never met it.
    expect(warnings()).toEqual([expect.objectContaining({ dependency: 'database', affectedRequests: failed - 1 })]);

    lines.length = 0;
    await proxy.restore();
    await app.scheduler.runNow(OUTAGE_SUMMARY_JOB);
    await app.scheduler.runNow(OUTAGE_SUMMARY_JOB);
    expect(lines.filter((line) => line.msg === 'database available again')).toEqual([
      expect.objectContaining({ dependency: 'database', affectedRequests: failed }),
    ]);
    expect((await app.inject({ method: 'GET', url: '/api/services', headers: user.headers })).statusCode).toBe(200);
  });
});

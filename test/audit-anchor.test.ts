import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../server/infra/database/index.ts';
import { createAuditAnchorWriter } from '../server/platform/audit/anchor-writer.ts';
import type { AuditAnchor, AuditAnchorStore } from '../server/platform/audit/audit-anchor.ts';
import { toChainedFields } from '../server/platform/audit/create-audit-log.ts';
import { hashRecord } from '../server/platform/audit/hash-chain.ts';
import {
  createAuditRepository,
  fileAnchorStore,
  redisAnchorStore,
  verifyAuditChain,
  type AuditChainReport,
  type AuditRepository,
} from '../server/platform/audit/index.ts';
import { buildTestApp, redisAvailability, runCli, signIn, testPool, testRedisUrl, uniqueName, type SignedInUser, type TestApp } from './helpers.ts';

const redis = redisAvailability();

class Rollback extends Error {}

/** A superuser session: the one that can disable the append-only trigger. */
function superuser(url: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: testPool(url) }) });
}

/** Removes the newest `count` records for good, as someone with superuser rights could. */
async function cutTail(url: string, count: number): Promise<void> {
  const admin = superuser(url);
  try {
    await admin.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
      await sql`DELETE FROM audit_log WHERE seq > (SELECT max(seq) FROM audit_log) - ${count}`.execute(trx);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
    });
  } finally {
    await admin.destroy();
  }
}

async function recordSome(t: TestApp, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await t.app.audit.record({ action: 'anchor.test', outcome: 'success', details: { i } });
}

describe('the audit anchor in a file', () => {
  let t: TestApp;
  let admin: SignedInUser;
  let repository: AuditRepository;
  const anchorPath = () => join(t.dataDir, 'audit-anchor.json');
  const verifyOverApi = async () => {
    const response = await t.app.inject({ url: '/api/audit/verify', headers: admin.headers });
    expect(response.statusCode).toBe(200);
    return response.json() as AuditChainReport;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await signIn(t.app, { role: 'admin' });
    repository = createAuditRepository({ db: t.app.database.db });
  });
  afterAll(() => t.close());

  it('reports the anchor as absent, not as a failure, before one was written', async () => {
    const store = fileAnchorStore({ path: join(t.dataDir, 'never-written.json') });
    const report = await verifyAuditChain({ repository, anchors: [store] });
    expect(report).toMatchObject({ intact: true, problems: [], anchors: [{ source: 'file', status: 'absent', anchor: null }] });
  });

  it('writes the newest record atomically, readable only by its owner, and verifies against it', async () => {
    await recordSome(t, 3);
    await t.app.audit.flushAnchor();
    const head = (await repository.head())!;
    expect(JSON.parse(await readFile(anchorPath(), 'utf8'))).toEqual({ seq: head.seq, hash: head.hash, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(statSync(anchorPath()).mode & 0o777).toBe(0o600);
    expect(readdirSync(t.dataDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const report = await verifyOverApi();
    expect(report).toMatchObject({
      intact: true,
      problemCount: 0,
      anchors: [{ source: 'file', status: 'consistent', anchor: { seq: head.seq, hash: head.hash } }],
    });
    expect(await t.app.health.runNow('audit-log')).toMatchObject({ status: 'pass', critical: false });
  });

  it('writes the anchor shortly after an append without being asked', async () => {
    await recordSome(t, 1);
    const head = (await repository.head())!;
    await vi.waitFor(async () => expect(JSON.parse(await readFile(anchorPath(), 'utf8'))).toMatchObject({ seq: head.seq }), { timeout: 5_000 });
  });

  it('names a rewritten tail that the chain alone cannot see', async () => {
    await t.app.audit.flushAnchor();
    const anchored = (await repository.head())!;
    const [last] = await repository.page({}, { limit: 1, order: 'desc' });
    // The newest record altered and its hash recomputed: no later record links to it, so the chain holds.
    const forged = { ...last!, actorLabel: 'mallory' };
    const forgedHash = hashRecord(forged, forged.prevHash);
    const admin = superuser(t.database.url);
    let report: AuditChainReport | undefined;
    try {
      await admin
        .transaction()
        .execute(async (trx: Transaction<Database>) => {
          await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
          await sql`UPDATE audit_log SET actor_label = 'mallory', hash = ${forgedHash} WHERE seq = ${anchored.seq}`.execute(trx);
          const inside = createAuditRepository({ db: trx });
          expect(await verifyAuditChain({ repository: inside })).toMatchObject({ intact: true });
          report = await verifyAuditChain({ repository: inside, anchors: [fileAnchorStore({ path: anchorPath() })] });
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
    } finally {
      await admin.destroy();
    }
    expect(report).toMatchObject({
      intact: false,
      problems: [{ kind: 'rewritten', seq: anchored.seq, detail: expect.stringContaining(`record seq ${anchored.seq} differs from the anchored hash`) }],
      anchors: [{ status: 'violated' }],
    });
  });

  it('reports an anchor file it cannot read as unavailable, without failing verification', async () => {
    const path = join(t.dataDir, 'garbled.json');
    await writeFile(path, 'not json');
    const report = await verifyAuditChain({ repository, anchors: [fileAnchorStore({ path })] });
    expect(report).toMatchObject({ intact: true, anchors: [{ status: 'unavailable', detail: expect.stringContaining('does not hold an audit anchor') }] });
  });

  it('names records cut from the end, over the API and from the command line, and keeps the anchor as evidence', async () => {
    await recordSome(t, 3);
    await t.app.audit.flushAnchor();
    const anchor = JSON.parse(await readFile(anchorPath(), 'utf8')) as AuditAnchor;

    await cutTail(t.database.url, 2);

    // The health component notices on its next run, with no append and no one verifying.
    const health = { ...(await t.app.health.runNow('audit-log')) };
    expect(health.status).toBe('fail');
    expect(health.output).toContain(`tampering detected: the audit log ends at seq ${anchor.seq - 2} but its file anchor names seq ${anchor.seq}`);

    const report = await verifyOverApi();
    expect(report).toMatchObject({
      intact: false,
      problemCount: 1,
      problems: [
        {
          kind: 'truncated',
          seq: anchor.seq - 1,
          lastSeq: anchor.seq,
          detail: `records after seq ${anchor.seq - 2} are missing (the file anchor written at ${anchor.at} names seq ${anchor.seq})`,
        },
      ],
      anchors: [{ source: 'file', status: 'violated' }],
    });

    const cli = await runCli(['audit', 'verify'], { DATABASE_URL: t.database.url, DATA_DIR: t.dataDir }, t.dataDir);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('audit log TAMPERED: 1 problem(s)');
    expect(cli.stdout).toMatch(new RegExp(`truncated\\s+seq ${anchor.seq - 1}–${anchor.seq}: records after seq ${anchor.seq - 2} are missing`));

    // New records reuse the cut seqs; the anchor is not moved past the evidence.
    await recordSome(t, 3);
    await t.app.audit.flushAnchor();
    expect(JSON.parse(await readFile(anchorPath(), 'utf8'))).toEqual(anchor);
    expect((await verifyOverApi()).problems).toEqual([expect.objectContaining({ kind: 'rewritten', seq: anchor.seq })]);
  });
});

describe('the audit anchor writer', () => {
  let t: TestApp;
  let repository: AuditRepository;
  beforeAll(async () => {
    t = await buildTestApp();
    repository = createAuditRepository({ db: t.app.database.db });
  });
  afterAll(() => t.close());

  /** Remembers anchors in memory and counts writes. */
  function memoryStore(): AuditAnchorStore & { writes: number; value?: AuditAnchor } {
    const store = {
      source: 'file' as const,
      location: 'memory',
      writes: 0,
      value: undefined as AuditAnchor | undefined,
      read: async () => store.value,
      async advance(anchor: AuditAnchor) {
        if (store.value && store.value.seq >= anchor.seq) return false;
        store.writes++;
        store.value = anchor;
        return true;
      },
    };
    return store;
  }

  it('coalesces a burst of appends into one write of the newest record', async () => {
    const store = memoryStore();
    const writer = createAuditAnchorWriter({ repository, stores: [store], logger: pino({ level: 'silent' }), intervalMs: 1_000 });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        await repository.append(toChainedFields({ action: 'burst', outcome: 'success' }));
        writer.notify();
      }),
    );
    await vi.waitFor(() => expect(store.writes).toBe(1), { timeout: 3_000 });
    expect(store.value).toMatchObject((await repository.head())!);
    await writer.close();
  });

  it('never anchors a record whose transaction rolled back', async () => {
    const store = memoryStore();
    const writer = createAuditAnchorWriter({ repository, stores: [store], logger: pino({ level: 'silent' }) });
    const committed = (await repository.head())!;
    await t.app.database.db
      .transaction()
      .execute(async (trx) => {
        await repository.append(toChainedFields({ action: 'doomed', outcome: 'success' }), { trx });
        writer.notify();
        await writer.flush();
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    expect(store.value).toMatchObject(committed);
    await writer.close();
  });

  it('logs a store it cannot write to, and recording goes on', async () => {
    const failing: AuditAnchorStore = {
      source: 'redis',
      location: 'nowhere',
      read: () => Promise.reject(new Error('connection refused')),
      advance: () => Promise.reject(new Error('connection refused')),
    };
    const logger = pino({ level: 'silent' });
    const warn = vi.spyOn(logger, 'warn');
    const writer = createAuditAnchorWriter({ repository, stores: [failing], logger });
    await repository.append(toChainedFields({ action: 'still.recorded', outcome: 'success' }));
    writer.notify();
    await writer.flush();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ store: 'nowhere' }), 'could not write the redis audit anchor');
    await writer.close();
  });

  it('writes what is not anchored yet when it closes', async () => {
    const store = memoryStore();
    const writer = createAuditAnchorWriter({ repository, stores: [store], logger: pino({ level: 'silent' }), intervalMs: 60_000 });
    await repository.append(toChainedFields({ action: 'before.close', outcome: 'success' }));
    writer.notify();
    await writer.close();
    expect(store.value).toMatchObject((await repository.head())!);
  });
});

describe.skipIf(!redis.available)(`the audit anchor in Redis ${redis.reason}`, () => {
  let a: TestApp;
  let b: TestApp;
  let direct: Redis;
  let admin: SignedInUser;
  const prefix = `${uniqueName('wk_test')}:`;
  const key = `${prefix}audit:anchor`;

  beforeAll(async () => {
    const env = { CACHE_KEY_PREFIX: prefix, RATE_LIMIT_ENABLED: 'false' };
    a = await buildTestApp({ redis: true, env });
    b = await buildTestApp({ redis: true, env, database: a.database });
    direct = new Redis(testRedisUrl()!);
    admin = await signIn(a.app, { role: 'admin' });
  });
  afterAll(async () => {
    await direct?.del(key);
    await direct?.quit();
    await b?.close();
    await a?.close();
  });

  it('is shared by the instances and only ever moves forward', async () => {
    await recordSome(a, 2);
    await a.app.audit.flushAnchor();
    const head = (await createAuditRepository({ db: a.app.database.db }).head())!;
    expect(await direct.hgetall(key)).toEqual({ seq: String(head.seq), hash: head.hash, at: expect.any(String) });

    // An instance with an older view cannot move it back.
    const store = redisAnchorStore({ client: () => b.app.cache.redisClient() });
    expect(await store.advance({ seq: head.seq - 1, hash: 'f'.repeat(64), at: new Date().toISOString() })).toBe(false);
    expect(await store.read()).toMatchObject({ seq: head.seq, hash: head.hash });

    await recordSome(b, 1);
    await b.app.audit.flushAnchor();
    expect(Number((await direct.hgetall(key)).seq)).toBe(head.seq + 1);
  });

  it('names records cut from the end when only the Redis anchor is left', async () => {
    await recordSome(a, 2);
    await a.app.audit.flushAnchor();
    const anchored = await direct.hgetall(key);
    // Whoever cut the tail removed the file anchors too.
    for (const t of [a, b]) rmSync(join(t.dataDir, 'audit-anchor.json'), { force: true });
    await cutTail(a.database.url, 1);

    const response = await a.app.inject({ url: '/api/audit/verify', headers: admin.headers });
    const report = response.json() as AuditChainReport;
    expect(report).toMatchObject({
      intact: false,
      problems: [
        {
          kind: 'truncated',
          seq: Number(anchored.seq),
          detail: expect.stringContaining(`(the redis anchor written at ${anchored.at} names seq ${anchored.seq})`),
        },
      ],
    });
    expect(report.anchors).toEqual([
      expect.objectContaining({ source: 'file', status: 'absent' }),
      expect.objectContaining({ source: 'redis', status: 'violated' }),
    ]);

    const cli = await runCli(
      ['audit', 'verify'],
      { DATABASE_URL: a.database.url, DATA_DIR: a.dataDir, REDIS_URL: testRedisUrl()!, CACHE_KEY_PREFIX: prefix },
      a.dataDir,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`records after seq ${Number(anchored.seq) - 1} are missing (the redis anchor`);
    expect(existsSync(join(a.dataDir, 'audit-anchor.json'))).toBe(false);
  });
});

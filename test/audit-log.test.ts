import type { FastifyRequest } from 'fastify';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import type { Database } from '../server/infra/database/index.ts';
import {
  createAuditRepository,
  verifyAuditChain,
  type AuditChainReport,
  type AuditRepository,
  type StoredAuditRecord,
} from '../server/platform/audit/index.ts';
import { toChainedFields } from '../server/platform/audit/create-audit-log.ts';
import { GENESIS_HASH, hashRecord } from '../server/platform/audit/hash-chain.ts';
import { buildTestApp, testPool, type TestApp } from './helpers.ts';

const ORG = '11111111-1111-4111-8111-111111111111';
const CHAINED_COLUMNS = sql.raw(
  'occurred_at, organization_id, actor_type, actor_id, actor_label, action, target_type, target_id, target_label, outcome, ip, user_agent, request_id, details, prev_hash, hash',
);

class Rollback extends Error {}

describe('the audit log', () => {
  let t: TestApp;
  let repository: AuditRepository;
  /** A superuser session of its own: the one that can disable the append-only trigger. */
  let admin: Kysely<Database>;

  beforeAll(async () => {
    t = await buildTestApp();
    repository = createAuditRepository({ db: t.app.database.db });
    admin = new Kysely<Database>({ dialect: new PostgresDialect({ pool: testPool(t.database.url) }) });
  });
  afterAll(async () => {
    await admin.destroy();
    await t.close();
  });

  const all = () => t.app.database.db.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash', 'action']).orderBy('seq').execute();
  const verify = () => verifyAuditChain({ repository });

  describe('recording', () => {
    it('chains every record to the one before it, starting from the genesis hash', async () => {
      await t.app.audit.record({ action: 'system.start', outcome: 'success' });
      await t.app.audit.record({ action: 'config.change', outcome: 'success', details: { setting: 'HEALTH_INTERVAL_MS', from: 15000, to: 5000 } });
      await t.app.audit.record({ action: 'backup.create', outcome: 'failure', target: { type: 'backup', id: 'nightly' } });
      const rows = await all();
      expect(rows.map((r) => r.seq)).toEqual(['1', '2', '3']);
      expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
      expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
      expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
      expect(await verify()).toMatchObject({ intact: true, records: 3, head: { seq: 3, hash: rows[2]!.hash }, problems: [] });
    });

    it('records a system actor when none is given', async () => {
      const stored = await repository.append(toChainedFields({ action: 'scheduler.run', outcome: 'success' }));
      expect(stored).toMatchObject({ actorType: 'system', actorId: null, organizationId: null });
    });

    it('fills actor, organization, ip, user agent and request id from the request', async () => {
      const request = {
        principal: { kind: 'user', userId: 'u-1', email: 'ada@example.com', sessionId: 's-1', organizationId: ORG },
        ip: '198.51.100.4',
        headers: { 'user-agent': 'vitest/4' },
        id: 'req-123',
      } as unknown as FastifyRequest;
      await t.app.audit.recordRequest(request, { action: 'user.create', outcome: 'success', target: { type: 'user', id: 'u-2', label: 'bob@example.com' } });
      const [latest] = await repository.page({}, { limit: 1, order: 'desc' });
      expect(latest).toMatchObject({
        actorType: 'user',
        actorId: 'u-1',
        actorLabel: 'ada@example.com',
        organizationId: ORG,
        ip: '198.51.100.4',
        userAgent: 'vitest/4',
        requestId: 'req-123',
        targetType: 'user',
        targetId: 'u-2',
      });
    });

    it('records an API key as the actor by its prefix, and a request without a principal as anonymous', async () => {
      const base = { ip: '::1', headers: {}, id: 'req-9' };
      const keyRequest = {
        ...base,
        principal: { kind: 'api-key', apiKeyId: 'k-1', keyPrefix: 'wk_ab12cd', organizationId: ORG, projectId: undefined, scopes: [] },
      } as unknown as FastifyRequest;
      await t.app.audit.recordRequest(keyRequest, { action: 'api-key.use', outcome: 'denied' });
      expect((await repository.page({}, { limit: 1, order: 'desc' }))[0]).toMatchObject({ actorType: 'api-key', actorId: 'k-1', actorLabel: 'wk_ab12cd' });

      await t.app.audit.recordRequest({ ...base, principal: undefined } as unknown as FastifyRequest, {
        action: 'auth.login',
        outcome: 'failure',
        actor: { type: 'anonymous', label: 'mallory@example.com' },
      });
      expect((await repository.page({}, { limit: 1, order: 'desc' }))[0]).toMatchObject({
        actorType: 'anonymous',
        actorId: null,
        actorLabel: 'mallory@example.com',
        userAgent: null,
        requestId: 'req-9',
      });
    });

    it('stores the time with microseconds exactly as it was hashed', async () => {
      const pinned = createAuditRepository({ db: t.app.database.db, clock: () => 1_714_564_800_123_456n });
      const stored = await pinned.append(toChainedFields({ action: 'clock.test', outcome: 'success' }));
      const [read] = await repository.page({ action: 'clock.test' }, { limit: 1, order: 'desc' });
      expect(read!.occurredAt).toBe('2024-05-01T12:00:00.123456Z');
      expect(hashRecord(read!, read!.prevHash)).toBe(stored.hash);
    });

    it('keeps hashes valid for awkward text and nested details', async () => {
      await t.app.audit.record({
        action: 'user.update',
        outcome: 'success',
        organizationId: ORG.toUpperCase(),
        actor: { type: 'user', id: 'u\u00001', label: 'zoë 😀 \ud800' },
        details: { z: 1, a: { y: [1.5, 'two', null, true], x: 'é' }, big: 1e21, tiny: 5e-7, when: new Date(0), skipped: undefined },
      });
      const [read] = await repository.page({ action: 'user.update' }, { limit: 1, order: 'desc' });
      expect(read).toMatchObject({ organizationId: ORG, actorId: 'u\ufffd1', actorLabel: 'zoë 😀 \ufffd' });
      expect(read!.details).toEqual({ z: 1, a: { y: [1.5, 'two', null, true], x: 'é' }, big: 1e21, tiny: 5e-7, when: '1970-01-01T00:00:00.000Z' });
      expect((await verify()).intact).toBe(true);
    });

    it('refuses an entry it could not store faithfully, before writing anything', async () => {
      const before = (await all()).length;
      await expect(t.app.audit.record({ action: ' ', outcome: 'success' })).rejects.toThrow(/action/);
      await expect(t.app.audit.record({ action: 'x.y', outcome: 'success', organizationId: 'not-a-uuid' })).rejects.toThrow(/organizationId/);
      expect((await all()).length).toBe(before);
    });
  });

  describe('transactions and concurrency', () => {
    it('rolls a record back with the transaction it was written in, leaving no gap', async () => {
      const before = await all();
      await expect(
        t.app.database.db.transaction().execute(async (trx) => {
          await trx.insertInto('organizations').values({ slug: 'doomed', name: 'Doomed' }).execute();
          await t.app.audit.record({ action: 'organization.create', outcome: 'success', target: { type: 'organization', label: 'doomed' } }, { trx });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await all()).toEqual(before);

      await t.app.audit.record({ action: 'after.rollback', outcome: 'success' });
      const after = await all();
      expect(after.at(-1)!.seq).toBe(String(before.length + 1));
      expect(await verify()).toMatchObject({ intact: true });
    });

    it('commits a record together with the change it records', async () => {
      await t.app.database.db.transaction().execute(async (trx) => {
        const org = await trx.insertInto('organizations').values({ slug: 'acme', name: 'Acme' }).returning('id').executeTakeFirstOrThrow();
        await t.app.audit.record(
          { action: 'organization.create', outcome: 'success', organizationId: org.id, target: { type: 'organization', id: org.id } },
          { trx },
        );
      });
      const [read] = await repository.page({ action: 'organization.create' }, { limit: 10, order: 'desc' });
      const org = await t.app.database.db.selectFrom('organizations').select('id').where('slug', '=', 'acme').executeTakeFirstOrThrow();
      expect(read).toMatchObject({ targetId: org.id, organizationId: org.id });
    });

    it('keeps one linear chain when 50 records are appended at once', async () => {
      const before = (await all()).length;
      await Promise.all(Array.from({ length: 50 }, (_, i) => t.app.audit.record({ action: 'rate-limit.block', outcome: 'denied', details: { i } })));
      const rows = await all();
      expect(rows.length).toBe(before + 50);
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
      expect(await verify()).toMatchObject({ intact: true, records: rows.length });
    });

    it('makes an append wait for a transaction that has recorded, then chains after it', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let recorded!: () => void;
      const hasRecorded = new Promise<void>((resolve) => (recorded = resolve));
      const first = t.app.database.db.transaction().execute(async (trx) => {
        await t.app.audit.record({ action: 'lock.first', outcome: 'success' }, { trx });
        recorded();
        await held;
      });
      await hasRecorded;
      const second = t.app.audit.record({ action: 'lock.second', outcome: 'success' });
      await vi.waitFor(async () => {
        const { rows } = await sql<{
          waiting: number;
        }>`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(
          admin,
        );
        expect(rows[0]!.waiting).toBe(1);
      });
      release();
      await Promise.all([first, second]);
      const rows = await all();
      expect(rows.slice(-2).map((r) => r.action)).toEqual(['lock.first', 'lock.second']);
      expect((await verify()).intact).toBe(true);
    });
  });

  describe('append-only enforcement', () => {
    it.each([
      ['UPDATE', sql`UPDATE audit_log SET action = 'forged' WHERE seq = 1`],
      ['DELETE', sql`DELETE FROM audit_log WHERE seq = 1`],
      ['TRUNCATE', sql`TRUNCATE audit_log`],
      ['UPDATE', sql`UPDATE audit_log SET action = 'forged' WHERE seq = -1`],
    ])('refuses %s through the app’s own connection (%#)', async (operation, statement) => {
      await expect(statement.execute(t.app.database.db)).rejects.toThrow(`audit_log is append-only: ${operation} is not allowed`);
    });

    it('grants no role UPDATE, DELETE or TRUNCATE on the table, not even its owner', async () => {
      const { rows } = await sql<{ privilege_type: string }>`
        SELECT DISTINCT acl.privilege_type FROM pg_class, aclexplode(relacl) AS acl WHERE relname = 'audit_log'`.execute(t.app.database.db);
      const privileges = rows.map((r) => r.privilege_type);
      expect(privileges).toEqual(expect.arrayContaining(['SELECT', 'INSERT']));
      expect(privileges).not.toContain('UPDATE');
      expect(privileges).not.toContain('DELETE');
      expect(privileges).not.toContain('TRUNCATE');
    });
  });

  describe('tamper detection', () => {
    let seeded: StoredAuditRecord[];

    beforeAll(async () => {
      seeded = [];
      for (const action of ['auth.login', 'user.create', 'role.grant', 'api-key.create', 'auth.logout', 'backup.restore']) {
        seeded.push(await repository.append(toChainedFields({ action, outcome: 'success', organizationId: SYSTEM_ORGANIZATION_ID })));
      }
    });

    /** Tampers as a superuser with the trigger disabled, verifies, and rolls everything back. */
    async function verifyAfter(tamper: (trx: Transaction<Database>) => Promise<unknown>): Promise<AuditChainReport> {
      let report: AuditChainReport | undefined;
      await admin
        .transaction()
        .execute(async (trx) => {
          await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
          await tamper(trx);
          report = await verifyAuditChain({ repository: createAuditRepository({ db: trx }) });
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
      return report!;
    }
    const seq = (i: number) => seeded[i]!.seq;

    it('names an altered field’s record', async () => {
      const report = await verifyAfter((trx) => sql`UPDATE audit_log SET actor_label = 'mallory' WHERE seq = ${seq(2)}`.execute(trx));
      expect(report.intact).toBe(false);
      expect(report.problems).toEqual([{ kind: 'altered', seq: seq(2), detail: expect.stringContaining('altered') }]);
    });

    it('notices a change of one microsecond or one detail', async () => {
      const time = await verifyAfter((trx) =>
        sql`UPDATE audit_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = ${seq(1)}`.execute(trx),
      );
      expect(time.problems).toEqual([expect.objectContaining({ kind: 'altered', seq: seq(1) })]);
      const details = await verifyAfter((trx) => sql`UPDATE audit_log SET details = details || '{"approved": true}' WHERE seq = ${seq(4)}`.execute(trx));
      expect(details.problems).toEqual([expect.objectContaining({ kind: 'altered', seq: seq(4) })]);
    });

    it('names a removed record', async () => {
      const report = await verifyAfter((trx) => sql`DELETE FROM audit_log WHERE seq = ${seq(3)}`.execute(trx));
      expect(report.problems).toEqual([{ kind: 'removed', seq: seq(3), detail: `record ${seq(3)} was removed` }]);
    });

    it('names a removed range', async () => {
      const report = await verifyAfter((trx) => sql`DELETE FROM audit_log WHERE seq IN (${seq(1)}, ${seq(2)})`.execute(trx));
      expect(report.problems).toEqual([{ kind: 'removed', seq: seq(1), lastSeq: seq(2), detail: expect.any(String) }]);
    });

    it('notices a removal hidden by renumbering', async () => {
      const report = await verifyAfter(async (trx) => {
        await sql`DELETE FROM audit_log WHERE seq = ${seq(4)}`.execute(trx);
        await sql`UPDATE audit_log SET seq = ${seq(4)} WHERE seq = ${seq(5)}`.execute(trx);
      });
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'removed', seq: seq(4) })]);
    });

    it('names both records of a swapped pair as reordered', async () => {
      const report = await verifyAfter((trx) =>
        sql`
          UPDATE audit_log AS a SET (${CHAINED_COLUMNS}) = (
            SELECT ${CHAINED_COLUMNS} FROM audit_log AS b WHERE b.seq = CASE WHEN a.seq = ${seq(2)} THEN ${seq(3)}::bigint ELSE ${seq(2)}::bigint END
          ) WHERE a.seq IN (${seq(2)}, ${seq(3)})`.execute(trx),
      );
      expect(report.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([
        { kind: 'reordered', seq: seq(2) },
        { kind: 'reordered', seq: seq(3) },
      ]);
    });

    it('points at the rewrite when a record is altered and its hash recomputed', async () => {
      const forged = { ...seeded[1]!, actorLabel: 'mallory' };
      const forgedHash = hashRecord(forged, forged.prevHash);
      const report = await verifyAfter((trx) => sql`UPDATE audit_log SET actor_label = 'mallory', hash = ${forgedHash} WHERE seq = ${seq(1)}`.execute(trx));
      expect(report.problems).toEqual([{ kind: 'removed', seq: seq(2), detail: expect.stringContaining(`record ${seq(1)} was rewritten`) }]);
    });

    it('cannot see records cut from the end, but reports the head that anchoring would catch', async () => {
      const intact = await verify();
      const report = await verifyAfter((trx) => sql`DELETE FROM audit_log WHERE seq = ${intact.head!.seq}`.execute(trx));
      expect(report).toMatchObject({ intact: true, records: intact.records - 1 });
      expect(report.head!.hash).not.toBe(intact.head!.hash);
    });

    it('leaves the real chain intact after each rolled-back tampering', async () => {
      expect((await verify()).intact).toBe(true);
    });
  });
});

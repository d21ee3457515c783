import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../server/infra/database/index.ts';
import type { AuditEntry } from '../server/platform/audit/index.ts';
import { CSV_COLUMNS } from '../server/platform/audit/audit-export.ts';
import { hashRecord, type JsonValue } from '../server/platform/audit/hash-chain.ts';
import { buildTestApp, createOrganization, runCli, signIn, testPool, type SignedInUser, type TestApp } from './helpers.ts';

const ORG = '22222222-2222-4222-8222-222222222222';

const entries: AuditEntry[] = [
  { action: 'auth.login', outcome: 'success', actor: { type: 'user', id: 'u-1', label: 'ada@example.com' }, organizationId: ORG, ip: '198.51.100.1' },
  {
    action: 'auth.login',
    outcome: 'failure',
    actor: { type: 'anonymous', label: 'eve, "the attacker"' },
    target: { type: 'user', id: 'u-1' },
    userAgent: '=HYPERLINK("http://evil.example")\nsecond line',
  },
  { action: 'auth.lockout', outcome: 'denied', target: { type: 'user', id: 'u-1', label: 'ada@example.com' } },
  { action: 'user.create', outcome: 'success', actor: { type: 'user', id: 'u-1' }, target: { type: 'user', id: 'u-2', label: '@admin' }, organizationId: ORG },
  {
    action: 'api-key.revoke',
    outcome: 'success',
    actor: { type: 'user', id: 'u-2' },
    target: { type: 'api-key', id: 'k-1', label: 'wk_ab12cd' },
    organizationId: ORG,
  },
  { action: 'rate-limit.block', outcome: 'denied', ip: '203.0.113.9', details: { route: '/api/auth/login', limit: 10 } },
  { action: 'health.test', outcome: 'success', actor: { type: 'user', id: 'u-1' }, target: { type: 'health-component', id: 'database' } },
];

interface RecordView {
  seq: number;
  occurredAt: string;
  organizationId: string | null;
  actor: { type: 'user' | 'api-key' | 'system' | 'anonymous'; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null } | null;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, JsonValue>;
  prevHash: string;
  hash: string;
}

/** RFC 4180, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      cell += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe('the audit API and command', () => {
  let t: TestApp;
  let admin: SignedInUser;
  /** Signing in records events of its own, so seeded entry n (1-based) is stored as seq base + n. */
  let base: number;

  const headSeq = async () =>
    Number(
      (
        await t.app.database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .executeTakeFirstOrThrow()
      ).seq ?? 0,
    );

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await signIn(t.app, { role: 'admin' });
    base = await headSeq();
    for (const entry of entries) await t.app.audit.record(entry);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = admin.headers) => t.app.inject({ url, headers });
  const list = async (query: string, headers?: Record<string, string>) => {
    const response = await get(`/api/audit?${query}`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { records: RecordView[]; nextCursor: string | null };
  };
  /** The seeded records among these, as entry numbers. */
  const seeded = (records: { seq: number }[]) => records.filter((r) => r.seq > base && r.seq <= base + entries.length).map((r) => r.seq - base);

  describe('GET /api/audit', () => {
    it('asks for a principal holding audit:read', async () => {
      expect((await t.app.inject({ url: '/api/audit' })).statusCode).toBe(401);
      const viewer = await signIn(t.app, { role: 'viewer' });
      expect((await get('/api/audit', viewer.headers)).statusCode).toBe(403);
    });

    it('lists the newest records first, with every field', async () => {
      const { records, nextCursor } = await list('');
      expect(seeded(records)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(records.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => b - a));
      expect(nextCursor).toBeNull();
      expect(records.find((r) => r.seq === base + 1)).toEqual({
        seq: base + 1,
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        organizationId: ORG,
        actor: { type: 'user', id: 'u-1', label: 'ada@example.com' },
        action: 'auth.login',
        target: null,
        outcome: 'success',
        ip: '198.51.100.1',
        userAgent: null,
        requestId: null,
        details: {},
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it.each<[string, number[], (r: RecordView) => boolean]>([
      ['action=auth.login', [2, 1], (r) => r.action === 'auth.login'],
      ['action=auth.*', [3, 2, 1], (r) => r.action.startsWith('auth.')],
      ['actorId=u-1', [7, 4, 1], (r) => r.actor.id === 'u-1'],
      ['actorType=anonymous', [2], (r) => r.actor.type === 'anonymous'],
      ['targetType=user', [4, 3, 2], (r) => r.target?.type === 'user'],
      ['targetType=user&targetId=u-1', [3, 2], (r) => r.target?.type === 'user' && r.target.id === 'u-1'],
      ['outcome=denied', [6, 3], (r) => r.outcome === 'denied'],
      ['outcome=success&actorId=u-1&order=asc', [1, 4, 7], (r) => r.outcome === 'success' && r.actor.id === 'u-1'],
    ])('filters by %s', async (query, expected, matches) => {
      const { records } = await list(query);
      expect(seeded(records)).toEqual(expected);
      expect(records.every(matches)).toBe(true);
    });

    it('treats `_` and `%` in an action prefix literally', async () => {
      expect((await list('action=auth_.*')).records).toEqual([]);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      const pivot = (await list('')).records.find((r) => r.seq === base + 4)!.occurredAt;
      const from = (await list(`from=${pivot}`)).records;
      expect(seeded(from)).toContain(4);
      expect(from.every((r) => r.occurredAt >= pivot)).toBe(true);
      const to = (await list(`to=${pivot}`)).records;
      expect(seeded(to)).not.toContain(4);
      expect(to.every((r) => r.occurredAt < pivot)).toBe(true);
      expect((await list('from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00%2B02:00')).records).toEqual([]);
    });

    it('pages with a cursor, serving each record once', async () => {
      const everything = (await list('limit=1000')).records.map((r) => r.seq);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { records: RecordView[]; nextCursor: string | null } = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.records.length).toBeLessThanOrEqual(3);
        seen.push(...page.records.map((r) => r.seq));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(everything);
    });

    it('shows a member of another organization only that organization’s records', async () => {
      const other = await createOrganization(t.app);
      await t.app.audit.record({ action: 'project.create', outcome: 'success', organizationId: other.id, target: { type: 'project', id: other.projectId } });
      const tenantAdmin = await signIn(t.app, { role: 'admin', organizationId: other.id });
      const { records } = await list('', tenantAdmin.headers);
      expect(records.map((r) => r.action)).toContain('project.create');
      expect(records.every((r) => r.organizationId === other.id)).toBe(true);
      const exported = (await get('/api/audit/export?format=ndjson', tenantAdmin.headers)).body.trimEnd().split('\n');
      expect(exported.every((line) => (JSON.parse(line) as RecordView).organizationId === other.id)).toBe(true);
    });

    it.each([
      ['limit=0', '/query/limit'],
      ['limit=1001', '/query/limit'],
      ['limit=ten', '/query/limit'],
      ['outcome=maybe', '/query/outcome'],
      ['actorType=robot', '/query/actorType'],
      ['action=auth%20login', '/query/action'],
      ['from=yesterday', '/query/from'],
      ['to=2024-05-01', '/query/to'],
      ['from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z', '/query/from'],
      ['cursor=not-a-cursor', '/query/cursor'],
      ['order=sideways', '/query/order'],
    ])('answers %s with a 400 problem naming %s', async (query, pointer) => {
      const response = await get(`/api/audit?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'WK_ERR_VALIDATION', errors: [expect.objectContaining({ pointer })] });
    });
  });

  describe('GET /api/audit/export', () => {
    it('streams NDJSON, one record per line, oldest first, re-verifiable', async () => {
      const response = await get('/api/audit/export?format=ndjson');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-.*\.ndjson"$/);
      expect(response.body.endsWith('\n')).toBe(true);
      const lines = response.body
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as RecordView);
      expect(lines.map((r) => r.seq)).toEqual(lines.map((_, i) => i + 1));
      expect(seeded(lines)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const r of lines) {
        const fields = {
          occurredAt: r.occurredAt,
          organizationId: r.organizationId,
          actorType: r.actor.type,
          actorId: r.actor.id,
          actorLabel: r.actor.label,
          action: r.action,
          targetType: r.target?.type ?? null,
          targetId: r.target?.id ?? null,
          targetLabel: r.target?.label ?? null,
          outcome: r.outcome,
          ip: r.ip,
          userAgent: r.userAgent,
          requestId: r.requestId,
          details: r.details,
        };
        expect(hashRecord(fields, r.prevHash)).toBe(r.hash);
      }
    });

    it('applies the same filters', async () => {
      const response = await get('/api/audit/export?format=ndjson&actorType=anonymous&targetId=u-1&outcome=failure');
      expect(
        seeded(
          response.body
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as RecordView),
        ),
      ).toEqual([2]);
      const none = await get('/api/audit/export?action=nothing.here');
      expect(none.statusCode).toBe(200);
      expect(none.body).toBe('');
    });

    it('streams CSV with a header, RFC 4180 quoting and formula cells defused', async () => {
      const response = await get('/api/audit/export?format=csv');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(response.headers['content-disposition']).toMatch(/\.csv"$/);
      const [header, ...rows] = parseCsv(response.body);
      expect(header).toEqual([...CSV_COLUMNS]);
      expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
      const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
      const row = (n: number) => rows.find((r) => r[column('seq')] === String(base + n))!;
      expect(row(2)[column('actor_label')]).toBe('eve, "the attacker"');
      expect(row(2)[column('user_agent')]).toBe('\'=HYPERLINK("http://evil.example")\nsecond line');
      expect(row(4)[column('target_label')]).toBe("'@admin");
      expect(JSON.parse(row(6)[column('details')]!)).toEqual({ limit: 10, route: '/api/auth/login' });
      expect(row(1)[column('organization_id')]).toBe(ORG);
      expect(row(3)[column('organization_id')]).toBe('');
    });

    it.each([
      ['format=xml', '/query/format'],
      ['format=csv&outcome=nope', '/query/outcome'],
    ])('answers %s with a 400 problem naming %s', async (query, pointer) => {
      const response = await get(`/api/audit/export?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ errors: [expect.objectContaining({ pointer })] });
    });
  });

  describe('verification', () => {
    it('reports an intact chain over the API and from the command line', async () => {
      await t.app.audit.flushAnchor();
      const response = await get('/api/audit/verify');
      expect(response.statusCode).toBe(200);
      const head = (await list('limit=1')).records[0]!;
      expect(response.json()).toEqual({
        intact: true,
        records: head.seq,
        head: { seq: head.seq, hash: head.hash },
        problemCount: 0,
        problems: [],
        anchors: [expect.objectContaining({ source: 'file', status: 'consistent', anchor: { seq: head.seq, hash: head.hash, at: expect.any(String) } })],
      });

      const cli = await runCli(['audit', 'verify'], { DATABASE_URL: t.database.url, DATA_DIR: t.dataDir }, t.dataDir);
      expect(cli.stderr).toBe('');
      expect(cli.stdout).toMatch(new RegExp(`^audit log intact: ${head.seq} records`));
      expect(cli.stdout).toMatch(new RegExp(`\\nanchor file \\(.*audit-anchor\\.json\\): consistent — record seq ${head.seq} has the hash`));
      expect(cli.code).toBe(0);
    });

    it('names the tampered records over the API and exits 1 from the command line', async () => {
      const altered = base + 2;
      const removed = base + 5;
      const superuser = new Kysely<Database>({ dialect: new PostgresDialect({ pool: testPool(t.database.url) }) });
      try {
        await superuser.transaction().execute(async (trx) => {
          await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
          await sql`UPDATE audit_log SET outcome = 'success' WHERE seq = ${altered}`.execute(trx);
          await sql`DELETE FROM audit_log WHERE seq = ${removed}`.execute(trx);
          await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
        });
      } finally {
        await superuser.destroy();
      }

      const report = (await get('/api/audit/verify')).json();
      expect(report).toMatchObject({
        intact: false,
        problemCount: 2,
        problems: [
          { kind: 'altered', seq: altered },
          { kind: 'removed', seq: removed },
        ],
      });

      const cli = await runCli(['audit', 'verify'], { DATABASE_URL: t.database.url, DATA_DIR: t.dataDir }, t.dataDir);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`audit log TAMPERED: 2 problem(s) in ${report.records} records`);
      expect(cli.stdout).toMatch(new RegExp(`altered\\s+seq ${altered}: record ${altered} was altered`));
      expect(cli.stdout).toMatch(new RegExp(`removed\\s+seq ${removed}: record ${removed} was removed`));
    });
  });
});

import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ORGANIZATION_ID } from '../../../../contracts/tenancy.ts';
import { buildTestApp, createMigratedDatabase, uniqueName, type MigratedDatabase, type TestDatabase } from '../../../../test/helpers.ts';
import type { Database } from '../../../infra/database/index.ts';
import { SwitchablePool } from '../../../infra/database/switchable-pool.ts';
import { Scheduler } from '../../scheduler/index.ts';
import { apiKeyNewIpWatcher } from './api-key-new-ip.ts';
import { SECURITY_RETENTION_JOB, runSecurityRetention, scheduleSecurityRetention } from './retention.ts';
import { createSecurityEventsRepository, type SecurityEventsRepository } from './security-events-repository.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WINDOW_MS = 10 * MINUTE;

describe('security events retention', () => {
  let migrated: MigratedDatabase;
  let database: TestDatabase;
  let db: Kysely<Database>;
  let repository: SecurityEventsRepository;
  beforeAll(async () => {
    migrated = await createMigratedDatabase();
    ({ database, db } = migrated);
    repository = createSecurityEventsRepository({ db });
  });
  afterAll(async () => {
    await migrated?.close();
  });

  const ago = (ms: number) => new Date(Date.now() - ms);

  async function event(subject: string, at: Date): Promise<string> {
    const { event } = await repository.record({
      organizationId: SYSTEM_ORGANIZATION_ID,
      kind: 'brute-force',
      severity: 'high',
      subject,
      count: 1,
      windowMs: WINDOW_MS,
      at,
      details: {},
    });
    return event.id;
  }
  const eventSubjects = async (prefix: string) =>
    (await db.selectFrom('security_events').select('subject').where('subject', 'like', `${prefix}%`).orderBy('subject').execute()).map((r) => r.subject);

  async function apiKey(): Promise<string> {
    const name = uniqueName('key');
    const { id } = await db
      .insertInto('api_keys')
      .values({ organization_id: SYSTEM_ORGANIZATION_ID, name, prefix: name, secret_hash: name, scopes: [], created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }
  /** An address the key was first used from `firstSeen` ago and last used from `lastSeen` ago. */
  async function keyIp(apiKeyId: string, ip: string, firstSeen: number, lastSeen: number): Promise<void> {
    await db
      .insertInto('security_api_key_ips')
      .values({ api_key_id: apiKeyId, ip, organization_id: SYSTEM_ORGANIZATION_ID, first_seen: ago(firstSeen), last_seen: ago(lastSeen) })
      .execute();
  }
  const ipsOf = async (apiKeyId: string) =>
    (await db.selectFrom('security_api_key_ips').select('ip').where('api_key_id', '=', apiKeyId).orderBy('ip').execute()).map((r) => r.ip);
  const keyRequest = (apiKeyId: string, ip: string) =>
    ({ ip, principal: { kind: 'api-key', apiKeyId, keyPrefix: 'wk_test', organizationId: SYSTEM_ORGANIZATION_ID, scopes: [] } }) as unknown as FastifyRequest;

  it('deletes events last seen before the retention period and keeps the others', async () => {
    await event('old:gone', ago(91 * DAY));
    await event('old:recent', ago(89 * DAY));
    await event('old:today', ago(MINUTE));
    // Opened long ago, but the same window was seen again recently: last_seen decides.
    const longId = await event('old:long', ago(91 * DAY));
    await db
      .updateTable('security_events')
      .set({ last_seen: ago(DAY) })
      .where('id', '=', longId)
      .execute();

    const outcome = await runSecurityRetention({ db, retentionDays: 90 });

    expect(outcome.eventsDeleted).toBeGreaterThanOrEqual(1);
    expect(await eventSubjects('old:')).toEqual(['old:long', 'old:recent', 'old:today']);
  });

  it('deletes an address the key has not used since the cutoff, and keeps one it still uses', async () => {
    const key = await apiKey();
    await keyIp(key, '198.51.100.1', 120 * DAY, 100 * DAY); // abandoned
    await keyIp(key, '198.51.100.2', 120 * DAY, 2 * DAY); // first seen long ago, still in use
    await keyIp(key, '198.51.100.3', 10 * DAY, 10 * DAY); // recent

    const outcome = await runSecurityRetention({ db, retentionDays: 90 });

    expect(outcome.apiKeyIpsDeleted).toBe(1);
    expect(await ipsOf(key)).toEqual(['198.51.100.2', '198.51.100.3']);
  });

  it('keeps an address the key keeps using, so the new-address detector stays quiet about it', async () => {
    const key = await apiKey();
    await keyIp(key, '203.0.113.1', 200 * DAY, 200 * DAY);
    await keyIp(key, '203.0.113.2', 200 * DAY, 200 * DAY);
    const watch = apiKeyNewIpWatcher({ repository });

    // The key is used from .2 today: that bumps last_seen (first_seen stays), and is not new.
    expect(await watch(keyRequest(key, '203.0.113.2'))).toBeUndefined();
    const row = await db.selectFrom('security_api_key_ips').selectAll().where('api_key_id', '=', key).where('ip', '=', '203.0.113.2').executeTakeFirstOrThrow();
    expect(row.first_seen.getTime()).toBeLessThan(ago(199 * DAY).getTime());
    expect(row.last_seen.getTime()).toBeGreaterThan(Date.now() - MINUTE);

    await runSecurityRetention({ db, retentionDays: 90 });
    expect(await ipsOf(key)).toEqual(['203.0.113.2']);

    // A fresh instance (nothing remembered in memory) sees the address as known, not new.
    expect(await apiKeyNewIpWatcher({ repository })(keyRequest(key, '203.0.113.2'))).toBeUndefined();
    // The abandoned address was forgotten: it counts as new again.
    expect(await apiKeyNewIpWatcher({ repository })(keyRequest(key, '203.0.113.1'))).toMatchObject({ kind: 'api-key-new-ip', count: 1 });
  });

  it('bumps last_seen at most once per few minutes while the key is in use', async () => {
    const key = await apiKey();
    await repository.rememberApiKeyIp({ apiKeyId: key, ip: '192.0.2.7', organizationId: SYSTEM_ORGANIZATION_ID });
    const stale = ago(6 * MINUTE);
    await db
      .updateTable('security_api_key_ips')
      .set({ last_seen: ago(2 * MINUTE) })
      .where('api_key_id', '=', key)
      .execute();
    await repository.rememberApiKeyIp({ apiKeyId: key, ip: '192.0.2.7', organizationId: SYSTEM_ORGANIZATION_ID });
    const fresh = await db.selectFrom('security_api_key_ips').select('last_seen').where('api_key_id', '=', key).executeTakeFirstOrThrow();
    expect(fresh.last_seen.getTime()).toBeLessThan(Date.now() - MINUTE); // recent enough: left alone

    await db.updateTable('security_api_key_ips').set({ last_seen: stale }).where('api_key_id', '=', key).execute();
    expect(await repository.rememberApiKeyIp({ apiKeyId: key, ip: '192.0.2.7', organizationId: SYSTEM_ORGANIZATION_ID })).toEqual({
      isNew: false,
      knownIps: 0,
    });
    const bumped = await db.selectFrom('security_api_key_ips').select('last_seen').where('api_key_id', '=', key).executeTakeFirstOrThrow();
    expect(bumped.last_seen.getTime()).toBeGreaterThan(stale.getTime());
  });

  it('asks the database again once a remembered address is stale, so a busy key keeps it alive', async () => {
    const key = await apiKey();
    const watch = apiKeyNewIpWatcher({ repository, rememberMs: 50 });
    await watch(keyRequest(key, '192.0.2.8'));
    await db
      .updateTable('security_api_key_ips')
      .set({ last_seen: ago(100 * DAY) })
      .where('api_key_id', '=', key)
      .execute();
    await new Promise((resolve) => setTimeout(resolve, 80));
    await watch(keyRequest(key, '192.0.2.8'));
    await runSecurityRetention({ db, retentionDays: 90 });
    expect(await ipsOf(key)).toEqual(['192.0.2.8']);
  });

  it('works through a backlog in batches', async () => {
    await Promise.all(Array.from({ length: 7 }, (_, i) => event(`batch:${i}`, ago(100 * DAY + i * WINDOW_MS))));
    const key = await apiKey();
    for (let i = 0; i < 5; i++) await keyIp(key, `192.0.2.${100 + i}`, 100 * DAY, 100 * DAY);

    const outcome = await runSecurityRetention({ db, retentionDays: 90, batchSize: 2 });

    expect(outcome).toEqual({ eventsDeleted: 7, apiKeyIpsDeleted: 5 });
    expect(await eventSubjects('batch:')).toEqual([]);
    expect(await ipsOf(key)).toEqual([]);
  });

  it('runs as an exclusive scheduled job', async () => {
    const pool = new SwitchablePool({ connectionString: database.url, max: 2 }, () => undefined);
    const scheduler = new Scheduler({ logger: pino({ level: 'silent' }), pool });
    try {
      await event('scheduled:old', ago(31 * DAY));
      await event('scheduled:new', ago(29 * DAY));
      scheduleSecurityRetention({ scheduler, db, logger: pino({ level: 'silent' }), retentionDays: 30 });
      await scheduler.runNow(SECURITY_RETENTION_JOB);
      expect(await eventSubjects('scheduled:')).toEqual(['scheduled:new']);
    } finally {
      await scheduler.stop();
      await pool.end();
    }
  });

  it('is scheduled by the app with SECURITY_EVENTS_RETENTION_DAYS', async () => {
    const t = await buildTestApp({ env: { SECURITY_EVENTS_RETENTION_DAYS: '7' } });
    try {
      const appRepository = createSecurityEventsRepository({ db: t.app.database.db });
      for (const [subject, age] of [
        ['app:old', 8 * DAY],
        ['app:new', 6 * DAY],
      ] as const) {
        await appRepository.record({
          organizationId: SYSTEM_ORGANIZATION_ID,
          kind: 'brute-force',
          severity: 'high',
          subject,
          count: 1,
          windowMs: WINDOW_MS,
          at: ago(age),
          details: {},
        });
      }
      await t.app.scheduler.runNow(SECURITY_RETENTION_JOB);
      const left = await t.app.database.db.selectFrom('security_events').select('subject').where('subject', 'like', 'app:%').execute();
      expect(left.map((r) => r.subject)).toEqual(['app:new']);
    } finally {
      await t.close();
    }
  });
});

import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { NotificationListener } from './notification-listener.ts';

describe('NotificationListener', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  const listener = () => new NotificationListener({ client: { connectionString: database.url }, logger: pino({ level: 'silent' }), reconnectDelayMs: 50 });

  it('hears only what committed, in commit order', async () => {
    const notifications = listener();
    const heard: string[] = [];
    notifications.subscribe('wk_test_channel', (payload) => heard.push(payload));
    await vi.waitFor(() => expect(notifications.listening).toBe(true));
    await admin.query('BEGIN');
    await admin.query(`SELECT pg_notify('wk_test_channel', 'rolled back')`);
    await admin.query('ROLLBACK');
    await admin.query(`SELECT pg_notify('wk_test_channel', 'first')`);
    await admin.query(`SELECT pg_notify('wk_test_channel', 'second')`);
    expect(await notifications.sync()).toBe(true);
    expect(heard).toEqual(['first', 'second']);
    await notifications.close();
  });

  it('says when it stopped hearing, reconnects, and hears again', async () => {
    const notifications = listener();
    const states: boolean[] = [];
    const heard: string[] = [];
    notifications.onState((listening) => states.push(listening));
    notifications.subscribe('wk_test_channel', (payload) => heard.push(payload));
    await vi.waitFor(() => expect(notifications.listening).toBe(true));
    await admin.query('SELECT pg_terminate_backend($1)', [notifications.backendPid]);
    await vi.waitFor(() => expect(states).toEqual([true, false, true]));
    await admin.query(`SELECT pg_notify('wk_test_channel', 'after the reconnect')`);
    expect(await notifications.sync()).toBe(true);
    expect(heard).toEqual(['after the reconnect']);
    await notifications.close();
    expect(notifications.listening).toBe(false);
  });

  it('answers sync() false rather than waiting while it is not listening', async () => {
    const notifications = listener();
    expect(await notifications.sync()).toBe(false);
    await notifications.close();
  });
});

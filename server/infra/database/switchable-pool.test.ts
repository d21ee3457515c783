import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers.ts';
import { operationOf, SwitchablePool } from './switchable-pool.ts';

describe('SwitchablePool', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  function trackedPool(): { pool: SwitchablePool; ended: () => boolean[]; errors: Error[] } {
    const errors: Error[] = [];
    const pool = new SwitchablePool({ connectionString: database.url, max: 3 }, (error) => errors.push(error));
    const clients: pg.Client[] = [];
    const endedClients = new Set<pg.Client>();
    const track = (inner: pg.Pool) =>
      inner.on('connect', (client) => {
        clients.push(client);
        client.once('end', () => endedClients.add(client));
      });
    track(pool.pool);
    return { pool, ended: () => clients.map((client) => endedClients.has(client)), errors };
  }

  it('resolves end() only once every connection has closed, so a cluster stopped right after terminates none', async () => {
    const { pool, ended, errors } = trackedPool();
    // Three clients at once, all idle in the pool when it ends.
    const borrowed = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    for (const client of borrowed) client.release();
    await pool.end();
    expect(ended()).toEqual([true, true, true]);
    expect(errors).toEqual([]);
  });

  it('closes the pools it replaced as well when it ends', async () => {
    const { pool, ended } = trackedPool();
    const client = await pool.connect();
    await pool.reconnect();
    client.release();
    await pool.end();
    expect(ended()).toEqual([true]);
  });
});

describe('the operation of a query', () => {
  it('is its first keyword among a fixed few, whatever its case, spacing or parameters', () => {
    expect(operationOf('select 1')).toBe('select');
    expect(operationOf({ text: '  INSERT INTO t VALUES ($1)' })).toBe('insert');
    expect(operationOf('update t set a = 1')).toBe('update');
    expect(operationOf('delete from t')).toBe('delete');
    expect(operationOf('with x as (select 1) select * from x')).toBe('with');
    for (const statement of ['begin', 'COMMIT', 'rollback', 'savepoint sp1', 'release sp1']) expect(operationOf(statement)).toBe('transaction');
    expect(operationOf('LISTEN watchkeeper_rights')).toBe('other');
    expect(operationOf(undefined)).toBe('other');
  });
});

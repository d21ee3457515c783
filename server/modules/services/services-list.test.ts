/**
 * `GET /api/services` for large projects: paged with `limit` and `cursor` (every service without
 * them, as before), a 304 while the list is unchanged, gzipped when asked, bad parameters a 400
 * naming the field, and a write on this instance listed on the very next read.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceListSchema } from '../../../contracts/services.ts';
import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import { authenticateAll, buildTestApp, createMigratedDatabase, type MigratedDatabase, type TestApp } from '../../../test/helpers.ts';
import { quietHealthMonitor } from '../health/test-monitor.ts';
import { ServiceDirectory } from './service-directory.ts';
import { ServiceProbeRegistry } from './service-probe-registry.ts';
import { createServicesRepository } from './services-repository.ts';

const tcp = (name: string) => ({ name, type: 'tcp' as const, host: '127.0.0.1', port: 9, critical: false });

describe('GET /api/services', () => {
  let t: TestApp;
  const configured = ['c-one', 'e-two', 'a-three', 'g-four', 'f-five'];
  beforeAll(async () => {
    t = await buildTestApp({ services: configured.map(tcp) });
    await authenticateAll(t.app);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
  const names = (body: unknown) => serviceListSchema.parse(body).items.map((item) => item.name);

  it('lists every service on one page without a limit, as it always has', async () => {
    const response = await get('/api/services');
    expect(response.statusCode).toBe(200);
    const list = serviceListSchema.parse(response.json());
    expect(list.nextCursor).toBeNull();
    expect(list.items.map((item) => item.name)).toEqual([...configured].sort());
  });

  it('pages the services in name order with limit and the nextCursor of each page, to the last one', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(`/api/services?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = serviceListSchema.parse(response.json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...configured].sort());
  });

  it('goes on after the service a page ended with even when that one is gone', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/services', payload: tcp('b-gone') });
    expect(created.statusCode).toBe(201);
    const first = serviceListSchema.parse((await get('/api/services?limit=2')).json());
    expect(first.items.map((item) => item.name)).toEqual(['a-three', 'b-gone']);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/services/b-gone' })).statusCode).toBe(204);
    expect(names((await get(`/api/services?limit=2&cursor=${first.nextCursor}`)).json())).toEqual(['c-one', 'e-two']);
  });

  it('lists a service created or removed on this instance on the very next read', async () => {
    expect(names((await get('/api/services')).json())).not.toContain('d-new');
    expect((await t.app.inject({ method: 'POST', url: '/api/services', payload: tcp('d-new') })).statusCode).toBe(201);
    expect(names((await get('/api/services')).json())).toContain('d-new');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/services/d-new' })).statusCode).toBe(204);
    expect(names((await get('/api/services')).json())).not.toContain('d-new');
  });

  it('answers 304 while the list is unchanged, and the list again once a result changed', async () => {
    const first = await get('/api/services');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/api/services', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // The gzipped list and each page are representations of their own.
    expect((await get('/api/services', { 'if-none-match': etag, 'accept-encoding': 'gzip' })).statusCode).toBe(200);
    expect((await get('/api/services?limit=2', { 'if-none-match': etag })).statusCode).toBe(200);
    await t.app.health.runNow('c-one');
    const changed = await get('/api/services', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('sends a page gzipped when the client accepts gzip, the same document as plain', async () => {
    const gzipped = await get('/api/services?limit=3', { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(gunzipSync(gzipped.rawPayload).toString('utf8'))).toEqual((await get('/api/services?limit=3')).json());
  });

  it('refuses a bad limit or cursor with a 400 problem naming the parameter', async () => {
    for (const query of [
      'limit=0',
      'limit=1001',
      'limit=ten',
      'limit=1.5',
      'cursor=not%20a%20cursor',
      `cursor=${Buffer.from('NOT A NAME').toString('base64url')}`,
    ]) {
      const response = await get(`/api/services?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const pointer = `/query/${query.split('=')[0]}`;
      expect(
        response.json().errors.map((error: { pointer: string }) => error.pointer),
        query,
      ).toContain(pointer);
    }
  });
});

describe('ServiceDirectory.listAnswer', () => {
  let migrated: MigratedDatabase;
  beforeAll(async () => {
    migrated = await createMigratedDatabase();
  });
  afterAll(() => migrated.close());

  it('keeps the answer while only results change, for at most the window, and shows a write at once', async () => {
    const { monitor, logger } = quietHealthMonitor();
    let now = 1_000_000;
    const directory = new ServiceDirectory({
      configured: [tcp('kept-a'), tcp('kept-b')],
      repository: createServicesRepository({ db: migrated.db }),
      probes: new ServiceProbeRegistry({ monitor, logger }),
      logger,
      snapshots: { windowMs: 1_000, coalesceFrom: 1, now: () => now },
    });
    await directory.sync();
    const checkedAt = async (name: string) => {
      const list = serviceListSchema.parse(JSON.parse((await directory.listAnswer(SYSTEM_SCOPE)).body.toString('utf8')));
      return list.items.find((item) => item.name === name)?.health.checkedAt ?? null;
    };
    expect(await checkedAt('kept-a')).toBeNull();
    await monitor.runNow('kept-a');
    now += 999;
    expect(await checkedAt('kept-a')).toBeNull();
    now += 1;
    expect(await checkedAt('kept-a')).toEqual(expect.any(String));
    // A write through the directory is listed at once, window or not.
    const created = await directory.create(SYSTEM_SCOPE, tcp('kept-c'));
    try {
      expect(created.name).toBe('kept-c');
      const list = serviceListSchema.parse(JSON.parse((await directory.listAnswer(SYSTEM_SCOPE)).body.toString('utf8')));
      expect(list.items.map((item) => item.name)).toContain('kept-c');
    } finally {
      await directory.remove(SYSTEM_SCOPE, 'kept-c');
    }
  });
});

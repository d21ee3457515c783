/**
 * The full reports (`/health/status`, `/health/<group>`) and `/api/services` over HTTP as a
 * dashboard reads them: gzipped when asked, a 304 for an unchanged report, and narrowed by status
 * and paged by a cursor, with bad parameters a 400 naming the field.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthResponseSchema } from '../../../contracts/health.ts';
import { authenticateAll, buildTestApp, type TestApp } from '../../../test/helpers.ts';
import type { ProbeDefinition } from './index.ts';

const probe = (id: string, status: 'pass' | 'warn' | 'fail'): ProbeDefinition => ({
  id,
  componentType: 'component',
  critical: false,
  groups: ['services'],
  check: async () => ({ status, ...(status === 'pass' ? {} : { output: `${id} is ${status}` }), measurements: [] }),
});

describe('health reports for large installations', () => {
  let t: TestApp;
  const ids = ['a-pass', 'b-fail', 'c-pass', 'd-warn', 'e-fail', 'f-pass'];
  beforeAll(async () => {
    t = await buildTestApp();
    await authenticateAll(t.app);
    for (const id of ids) t.app.health.register(probe(id, id.split('-')[1] as 'pass' | 'warn' | 'fail'));
    await Promise.all([...ids, 'database'].map((id) => t.app.health.runNow(id)));
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });

  it('sends the same report gzipped when the client accepts gzip', async () => {
    for (const url of ['/health/status', '/health/services', '/api/services']) {
      const gzipped = await get(url, { 'accept-encoding': 'gzip, deflate' });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
      const plain = await get(url);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const body = JSON.parse(gunzipSync(gzipped.rawPayload).toString('utf8'));
      // The uptime note may have moved on between the two requests; the rest is the same document.
      const withoutNotes = (report: { notes?: unknown }) => ({ ...report, notes: undefined });
      expect(withoutNotes(body)).toEqual(withoutNotes(plain.json()));
    }
  });

  it('answers 304 without a body while the report is unchanged, and the report once it changed', async () => {
    const first = await get('/health/database');
    expect(first.statusCode).toBe(200); // a 503 is sent in full whatever the client has
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/health/database', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    // The gzipped body is another representation, with an ETag of its own.
    const gzipped = await get('/health/database', { 'if-none-match': etag, 'accept-encoding': 'gzip' });
    expect(gzipped.statusCode).toBe(200);
    expect(gzipped.headers.etag).not.toBe(etag);
    await t.app.health.runNow('database');
    const changed = await get('/health/database', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(first.statusCode);
    expect(changed.headers.etag).not.toBe(etag);
    expect(healthResponseSchema.parse(changed.json()).checks).toHaveProperty(['database:responseTime']);
  });

  it('lists only the components in the statuses asked for, while the report still describes them all', async () => {
    const all = (await get('/health/services')).json();
    const response = await get('/health/services?status=fail,warn');
    const report = healthResponseSchema.parse(response.json());
    const listed = new Set(Object.values(report.checks).map(([entry]) => entry!.componentId));
    expect([...listed].sort()).toEqual(['b-fail', 'd-warn', 'e-fail']);
    expect(report.status).toBe(all.status);
    expect(report.output).toBe(all.output);
    expect(report.notes).toContain('listed 3 of 6 components');
  });

  it('pages the components with limit and the cursor of links.next, to the last page', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/health/services?limit=4';
    let pages = 0;
    while (url) {
      const report = healthResponseSchema.parse((await get(url)).json());
      seen.push(...new Set(Object.values(report.checks).map(([entry]) => entry!.componentId)));
      url = report.links?.next;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(ids);
    // Narrowed and paged at once: the next link keeps the filter.
    const first = healthResponseSchema.parse((await get('/health/services?status=pass&limit=2')).json());
    expect(first.links?.next).toMatch(/status=pass/);
    const second = healthResponseSchema.parse((await get(first.links!.next!)).json());
    expect(new Set(Object.values(second.checks).map(([entry]) => entry!.componentId))).toEqual(new Set(['f-pass']));
    expect(second.links).toBeUndefined();
  });

  it('refuses a bad status, limit or cursor with a 400 naming the parameter', async () => {
    for (const [query, pointer] of [
      ['status=failing', '/query/status'],
      ['limit=0', '/query/limit'],
      ['limit=1001', '/query/limit'],
      ['limit=ten', '/query/limit'],
      ['cursor=not%20a%20cursor', '/query/cursor'],
      // A well-formed cursor naming a component that is gone.
      [`cursor=${Buffer.from('no-such-component').toString('base64url')}`, '/query/cursor'],
    ] as const) {
      const response = await get(`/health/status?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(response.json()), query).toContain(pointer);
    }
  });
});

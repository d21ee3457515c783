/**
 * A PostgreSQL that stops answering — frozen behind a TCP proxy, so its own statement_timeout
 * never fires — must not hold requests: the client-side query timeout answers 503 with
 * Retry-After, later requests are refused at once instead of each waiting out the timeout, and
 * the app serves again once the server answers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestAppBehindProxy, signIn, uniqueName, type SignedInUser, type TestApp } from './helpers.ts';
import type { TcpProxy } from './tcp-proxy.ts';

describe('a frozen PostgreSQL', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let owner: SignedInUser;
  let base: string;

  beforeAll(async () => {
    const behind = await buildTestAppBehindProxy({
      env: {
        DATABASE_STATEMENT_TIMEOUT_MS: '500',
        DATABASE_QUERY_TIMEOUT_MS: '1500',
      },
    });
    ({ proxy } = behind);
    t = behind;
    owner = await signIn(t.app, { role: 'owner' });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    proxy?.thaw();
    await t?.close();
  });

  const createService = (name: string) =>
    fetch(`${base}/api/services`, {
      method: 'POST',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: name.replaceAll('_', '-'), type: 'tcp', host: '127.0.0.1', port: 5432 }),
      // Far beyond the query timeout: what ends the request is the server's answer, not this.
      signal: AbortSignal.timeout(60_000),
    });

  it('answers a write 503 problem+json with Retry-After instead of hanging, and writes again once it answers', async () => {
    expect((await createService(uniqueName('before'))).status).toBe(201);

    proxy.freeze();
    const refused = await createService(uniqueName('frozen'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 503, code: 'WK_ERR_DEPENDENCY_UNAVAILABLE' });
    // That query cost the timeout; the next requests do not wait it out again: refused at once, 503 alike.
    expect(t.app.database.pool.circuit).toBe('open');
    const next = await createService(uniqueName('frozen'));
    expect(next.status).toBe(503);
    expect(await next.json()).toMatchObject({ status: 503, code: 'WK_ERR_DEPENDENCY_UNAVAILABLE' });
    // A page is still rendered: without the organizations to switch between, its panels saying what they could not load.
    const page = await fetch(`${base}/`, { headers: { cookie: owner.cookie, accept: 'text/html' }, signal: AbortSignal.timeout(60_000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<h1[^>]*>Overview<\/h1>/);

    proxy.thaw();
    await vi.waitFor(async () => expect((await createService(uniqueName('after'))).status).toBe(201), { timeout: 20_000, interval: 200 });
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signIn, type SignedInUser, type TestApp } from './helpers.ts';

function directives(csp: string | undefined): Map<string, string[]> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('security headers', () => {
  let t: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
    admin = await signIn(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());

  it('sends the OWASP recommended headers on every response', async () => {
    for (const response of [
      await t.app.inject({ url: '/docs/json' }),
      await t.app.inject({ url: '/api/ip-rules' }),
      await t.app.inject({ url: '/no-such-route' }),
    ]) {
      const headers = response.headers;
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(headers['permissions-policy']).toMatch(/(^|, )camera=\(\)/);
      expect(headers['permissions-policy']).toMatch(/(^|, )geolocation=\(\)/);
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers.server).toBeUndefined();
      expect(headers['content-security-policy']).toBeDefined();
    }
  });

  it('has a strict Content-Security-Policy: no inline script, no framing', async () => {
    const csp = directives((await t.app.inject({ url: '/docs/json' })).headers['content-security-policy'] as string);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    for (const values of csp.values()) {
      expect(values).not.toContain("'unsafe-inline'");
      expect(values).not.toContain("'unsafe-eval'");
    }
  });

  it('serves the OpenAPI UI under that policy: its page loads scripts only from files', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBeDefined();
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body!.trim()).toBe('');
    }
    expect(page.body).not.toMatch(/<style\b|\son\w+=/i);
    const initializer = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(initializer.statusCode).toBe(200);
    expect(initializer.headers['content-type']).toMatch(/javascript/);
  });

  it('sends HSTS only over HTTPS', async () => {
    expect((await t.app.inject({ url: '/docs/json' })).headers['strict-transport-security']).toBeUndefined();
    // Through the trusted proxy, which terminated TLS.
    const viaProxy = await t.app.inject({ url: '/docs/json', headers: { 'x-forwarded-proto': 'https' } });
    expect(viaProxy.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    // Anyone else claiming https is not believed.
    const spoofed = await t.app.inject({ url: '/docs/json', remoteAddress: '198.51.100.1', headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
  });

  it('forbids caching of API and authenticated responses', async () => {
    expect((await t.app.inject({ url: '/api/ip-rules', headers: admin.headers })).headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ url: '/api/ip-rules' })).headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ url: '/api/auth/session', headers: admin.headers })).headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ url: '/health/status', headers: admin.headers })).headers['cache-control']).toBe('no-store');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers.ts';

/** What every answer carries, written out: the set helmet 8 sent, plus our Permissions-Policy. */
const EXPECTED: Record<string, string> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';script-src 'self';script-src-attr 'none';style-src 'self';img-src 'self' data:;font-src 'self' data:;connect-src 'self';object-src 'none';frame-ancestors 'none';form-action 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'permissions-policy':
    'accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=(), fullscreen=(self)',
};
const HSTS = 'max-age=63072000; includeSubDomains';
/** Headers that must never appear, besides HSTS over plain HTTP. */
const FINGERPRINTS = ['x-powered-by', 'server'];

function securityHeadersOf(headers: Record<string, unknown>): Record<string, unknown> {
  const names = [...Object.keys(EXPECTED), 'strict-transport-security', ...FINGERPRINTS];
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.includes(name)));
}

describe('the security header set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_ADDRESS_POINTS: '3' } });
  });
  afterAll(() => t.close());

  /**
   * A liveness probe, an /api answer (401), a 404 and a 429 from the per-address limit; over
   * HTTPS as the trusted proxy (127.0.0.1) reports it for the client it names.
   */
  async function answers({ https = false, network }: { https?: boolean; network: string }) {
    const get = (url: string, address: string) =>
      https
        ? t.app.inject({ url, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': address } })
        : t.app.inject({ url, remoteAddress: address });
    const liveness = await get('/health/liveness', `${network}.1`);
    const api = await get('/api/users', `${network}.2`);
    const missing = await get('/no-such-route', `${network}.3`);
    let limited = await get('/api/users', `${network}.4`);
    for (let i = 0; i < 10 && limited.statusCode !== 429; i++) limited = await get('/api/users', `${network}.4`);
    expect([liveness.statusCode, api.statusCode, missing.statusCode, limited.statusCode]).toEqual([200, 401, 404, 429]);
    return { liveness, api, missing, limited };
  }

  it('is exactly the same on a probe, an API answer, a 404 and a 429', async () => {
    const { liveness, api, missing, limited } = await answers({ network: '192.0.2' });
    for (const response of [liveness, api, missing, limited]) expect(securityHeadersOf(response.headers)).toEqual(EXPECTED);
    expect(liveness.headers['cache-control']).toBe('no-store');
    expect(api.headers['cache-control']).toBe('no-store');
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(missing.headers['cache-control']).toBeUndefined();
  });

  it('adds HSTS, and only HSTS, over HTTPS', async () => {
    const { liveness, api, missing, limited } = await answers({ https: true, network: '198.51.100' });
    for (const response of [liveness, api, missing, limited])
      expect(securityHeadersOf(response.headers)).toEqual({ ...EXPECTED, 'strict-transport-security': HSTS });
  });
});

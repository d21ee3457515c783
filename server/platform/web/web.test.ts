import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, createUser, signIn, type TestApp } from '../../../test/helpers.ts';

describe('the dashboard’s pages and forms', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

  it('sends a new installation to the first-run page, and anyone not signed in to the sign-in page', async () => {
    expect((await t.app.inject({ url: '/' })).headers.location).toBe('/setup');
    await createUser(t.app);
    const answer = await t.app.inject({ url: '/' });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/sign-in');
  });

  it('renders pages as complete HTML under the strict CSP, with the hand-over data in a non-executable script', async () => {
    const owner = await signIn(t.app, { role: 'owner' });
    const answer = await t.app.inject({ url: '/', headers: { cookie: owner.cookie } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(answer.body).toContain('<h1>Overview</h1>');
    expect(answer.body).toContain(owner.email);
    const scripts = [...answer.body.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    expect(scripts.every((attributes) => /type="module"[^>]*src="\/assets\//.test(attributes!) || attributes!.includes('type="application/json"'))).toBe(true);
  });

  it('tells a user whose rights lie in another organization why the overview is not theirs, instead of failing', async () => {
    const organization = await createOrganization(t.app);
    const outsider = await signIn(t.app, { role: 'owner', organizationId: organization.id });
    const answer = await t.app.inject({ url: '/', headers: { cookie: outsider.cookie } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('which your account may not see here');
    expect(answer.body).toContain('health:read');
  });

  it('serves the service worker from the root, revalidated on every visit, precaching the built files', async () => {
    const worker = await t.app.inject({ url: '/sw.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['content-type']).toMatch(/^text\/javascript/);
    expect(worker.headers['cache-control']).toBe('no-cache');
    const precached = [...worker.body.matchAll(/\/assets\/[\w.-]+\.(?:js|css)/g)].map((match) => match[0]);
    expect(precached.length).toBeGreaterThan(3);
    for (const asset of precached) expect((await t.app.inject({ url: asset })).statusCode).toBe(200);
  });

  it('renders a page in the theme picked in the header, from its cookie, and ignores anything else there', async () => {
    const html = async (theme: string) => (await t.app.inject({ url: '/sign-in', headers: { cookie: `wk_theme=${theme}` } })).body;
    expect(await html('dark')).toContain('<html lang="en" data-theme="dark">');
    expect(await html('light')).toContain('<html lang="en" data-theme="light">');
    expect(await html('%22%3E%3Cscript%3E')).toContain('<html lang="en">');
    // A page cached for everyone is never rendered in one visitor's choice.
    expect((await t.app.inject({ url: '/accessibility', headers: { cookie: 'wk_theme=dark' } })).body).toContain('<html lang="en">');
  });

  it('shows the accessibility statement to anyone, cacheable, signed in or not', async () => {
    const page = await t.app.inject({ url: '/accessibility' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('public, max-age=3600');
    expect(page.body).toContain('Accessibility statement');
  });

  it('serves the built files for a year, immutable, and nothing outside them', async () => {
    const page = await t.app.inject({ url: '/sign-in' });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await t.app.inject({ url: script });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.app.inject({ url: '/assets/../package.json' })).statusCode).toBe(404);
  });

  it('signs in through the form, setting the session cookie, and sends a failure back to the form with its reason', async () => {
    const user = await createUser(t.app);
    const failed = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: formHeaders,
      payload: form({ email: user.email, password: 'wrong-password-123' }),
    });
    expect(failed.statusCode).toBe(303);
    expect(failed.headers.location).toBe('/sign-in?failed=credentials');
    const empty = await t.app.inject({ method: 'POST', url: '/sign-in', headers: formHeaders, payload: form({ email: user.email }) });
    expect(empty.headers.location).toBe('/sign-in?failed=invalid');
    const ok = await t.app.inject({ method: 'POST', url: '/sign-in', headers: formHeaders, payload: form({ email: user.email, password: user.password }) });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/');
    const cookie = ok.cookies.find((c) => c.name === 'wk_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect((await t.app.inject({ url: '/', headers: { cookie: `wk_session=${cookie!.value}` } })).statusCode).toBe(200);
  });

  it('returns to the page asked for after signing in, and never to another site', async () => {
    const user = await createUser(t.app);
    const signIn = (next: string, password = user.password) =>
      t.app.inject({ method: 'POST', url: '/sign-in', headers: formHeaders, payload: form({ email: user.email, password, next }) });
    expect((await signIn('/services?x=1')).headers.location).toBe('/services?x=1');
    expect((await signIn('/services', 'wrong-password-123')).headers.location).toBe('/sign-in?failed=credentials&next=%2Fservices');
    for (const elsewhere of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/a b']) {
      expect((await signIn(elsewhere)).headers.location).toBe('/');
    }
  });

  it('refuses sign-in and sign-out forms posted from another site', async () => {
    const user = await createUser(t.app);
    const crossSite = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'null' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const answer = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { ...formHeaders, ...headers },
        payload: form({ email: user.email, password: user.password }),
      });
      expect(answer.statusCode).toBe(403);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('signs out only with the session’s own token from the page', async () => {
    const user = await signIn(t.app);
    const forged = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { ...formHeaders, cookie: user.cookie },
      payload: form({ csrfToken: 'x' }),
    });
    expect(forged.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/', headers: { cookie: user.cookie } })).statusCode).toBe(200);
    const out = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { ...formHeaders, cookie: user.cookie },
      payload: form({ csrfToken: user.csrfToken }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/sign-in');
    expect((await t.app.inject({ url: '/', headers: { cookie: user.cookie } })).headers.location).toBe('/sign-in');
  });

  it('takes error reports from the error boundaries, counts them, and names a bad field', async () => {
    const report = { panel: 'Components', message: 'boom', componentStack: '\n    at ComponentTable', url: '/' };
    expect((await t.app.inject({ method: 'POST', url: '/api/client-errors', payload: report })).statusCode).toBe(204);
    const metrics = await t.app.metrics.getSingleMetricAsString('watchkeeper_client_errors_total');
    expect(metrics).toMatch(/watchkeeper_client_errors_total 1$/m);
    const bad = await t.app.inject({ method: 'POST', url: '/api/client-errors', payload: { ...report, panel: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/body/panel');
  });
});

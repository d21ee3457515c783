/** The Health pages as the server renders them (the browser's view is test/health.browser.test.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, signIn, type TestApp } from './helpers.ts';

describe('the Health pages, server-rendered', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    await t.app.health.runNow('cache');
    await t.app.healthHistory.recorder!.flush();
  });
  afterAll(() => t.close());

  it('renders the latest state, the state changes and the latency table in the HTML', async () => {
    const owner = await signIn(t.app, { role: 'owner' });
    const list = await t.app.inject({ url: '/components', headers: { cookie: owner.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/components/cache"');
    const detail = await t.app.inject({ url: '/components/cache', headers: { cookie: owner.cookie } });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('State changes, newest first');
    expect(detail.body).toMatch(/<caption>Checks of (<!-- -->)?cache(<!-- -->)? in the last hour/);
    expect(detail.body).not.toMatch(/ style="/); // the CSP refuses inline styles
  });

  it('tells a user whose rights lie in another organization why the pages are not theirs, instead of failing', async () => {
    const organization = await createOrganization(t.app);
    const outsider = await signIn(t.app, { role: 'owner', organizationId: organization.id });
    for (const url of ['/components', '/components/cache']) {
      const answer = await t.app.inject({ url, headers: { cookie: outsider.cookie } });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('which your account may not see here');
    }
  });
});

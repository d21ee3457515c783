import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../server/platform/auth/tokens.ts';
import { buildTestApp, createUser, login, signIn, testPassword, type TestApp, type TestUser } from './helpers.ts';

const sessionCookieOf = (response: { cookies: Array<{ name: string; value: string }> }) => response.cookies.find((c) => c.name === 'wk_session');

describe('sign-in and sessions', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    user = await createUser(t.app, { role: 'viewer' });
  });
  afterAll(() => t.close());

  const whoAmI = (cookie: string) => t.app.inject({ url: '/api/auth/session', headers: { cookie } });

  it('signs in with the right password and answers who am I with the CSRF token', async () => {
    const { cookie, csrfToken } = await login(t.app, user);
    const response = await whoAmI(cookie);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ principal: { kind: 'user', email: user.email }, csrfToken, permissions: expect.arrayContaining(['health:read']) });
  });

  it('accepts the email in any case and with surrounding spaces', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: `  ${user.email.toUpperCase()} `, password: user.password },
      remoteAddress: '192.0.2.10',
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers an unknown account, a wrong password and a disabled account with the same 401', async () => {
    const disabled = await createUser(t.app);
    await t.app.auth.users.setDisabled(disabled.id, true);
    const attempts = [
      { email: 'nobody@example.test', password: testPassword() },
      { email: user.email, password: 'wrong-password-123' },
      { email: disabled.email, password: disabled.password },
    ];
    const answers = [];
    for (const [i, payload] of attempts.entries()) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: `192.0.2.${20 + i}` });
      const { requestId: _r, ...problem } = response.json();
      answers.push({ status: response.statusCode, problem, cookie: sessionCookieOf(response) });
    }
    expect(answers[0]).toMatchObject({ status: 401, problem: { code: 'WK_ERR_INVALID_CREDENTIALS', detail: 'Invalid email or password.' }, cookie: undefined });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('takes sign-in as JSON only, which a cross-site form cannot send (login CSRF)', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: user.email, password: user.password }).toString(),
    });
    expect(form.statusCode).toBe(415);
    expect(sessionCookieOf(form)).toBeUndefined();
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, path /, and not Secure over plain HTTP by default', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: user, remoteAddress: '192.0.2.30' });
    const cookie = sessionCookieOf(response)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((cookie as { secure?: boolean }).secure).toBeFalsy();
  });

  it('stores only the SHA-256 of the session id', async () => {
    const { cookie } = await login(t.app, user);
    const id = cookie.slice('wk_session='.length);
    const rows = await t.app.database.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.map((r) => r.id_hash)).toContain(sha256(id));
    expect(rows.map((r) => r.id_hash)).not.toContain(id);
  });

  it('never keeps a session id the browser arrived with (session fixation)', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdefghijk';
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: user, headers: { cookie: `wk_session=${planted}` } });
    expect(response.statusCode).toBe(200);
    expect(sessionCookieOf(response)!.value).not.toBe(planted);

    // A real session planted by an attacker is ended when the victim signs in over it.
    const attacker = await signIn(t.app);
    const victimLogin = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: user, headers: { cookie: attacker.cookie } });
    expect(sessionCookieOf(victimLogin)!.value).not.toBe(attacker.cookie.slice('wk_session='.length));
    expect((await whoAmI(attacker.cookie)).statusCode).toBe(401);
  });

  it('answers 401 without a session and with an unknown session id', async () => {
    expect((await t.app.inject({ url: '/api/auth/session' })).statusCode).toBe(401);
    const response = await whoAmI('wk_session=not-a-session');
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('ends a session that has been idle longer than the idle timeout', async () => {
    const { cookie } = await login(t.app, user);
    const idHash = sha256(cookie.slice('wk_session='.length));
    const idleMs = t.config.auth.sessionIdleTimeoutMs;
    await t.app.database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - idleMs - 1_000) })
      .where('id_hash', '=', idHash)
      .execute();
    await t.app.cache.delete(`session:${idHash}`);
    expect((await whoAmI(cookie)).statusCode).toBe(401);
    expect(await t.app.database.db.selectFrom('sessions').select('id_hash').where('id_hash', '=', idHash).executeTakeFirst()).toBeUndefined();
  });

  it('ends a session at its absolute timeout however active it is', async () => {
    const { cookie } = await login(t.app, user);
    const idHash = sha256(cookie.slice('wk_session='.length));
    await t.app.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1_000), last_seen_at: new Date() })
      .where('id_hash', '=', idHash)
      .execute();
    await t.app.cache.delete(`session:${idHash}`);
    expect((await whoAmI(cookie)).statusCode).toBe(401);
  });

  it('refuses a state-changing cookie request without the CSRF token', async () => {
    const { cookie, csrfToken } = await login(t.app, user);
    const missing = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 'WK_ERR_CSRF_TOKEN_INVALID' });
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': `${csrfToken.slice(0, -2)}xx` } });
    expect(wrong.statusCode).toBe(403);
    expect((await whoAmI(cookie)).statusCode).toBe(200);
    const right = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(right.statusCode).toBe(204);
    expect((await whoAmI(cookie)).statusCode).toBe(401);
  });

  it('logs out everywhere: every session of the user ends', async () => {
    const first = await login(t.app, user);
    const second = await login(t.app, user);
    const other = await signIn(t.app);
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/logout-everywhere', headers: first.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json().ended).toBeGreaterThanOrEqual(2);
    expect((await whoAmI(first.cookie)).statusCode).toBe(401);
    expect((await whoAmI(second.cookie)).statusCode).toBe(401);
    expect((await whoAmI(other.cookie)).statusCode).toBe(200);
  });

  it('changes the own password: checks the current one and the policy, ends other sessions, rotates this one', async () => {
    const account = await createUser(t.app);
    const here = await login(t.app, account);
    const elsewhere = await login(t.app, account);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: 'not-it-at-all', newPassword: testPassword() },
    });
    expect(wrong.statusCode).toBe(403);
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: account.password, newPassword: 'Unbelievable' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0]).toMatchObject({ pointer: '/body/newPassword', detail: expect.stringContaining('commonly used') });

    const newPassword = testPassword();
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: here.headers,
      payload: { currentPassword: account.password, newPassword },
    });
    expect(changed.statusCode).toBe(200);
    const rotated = sessionCookieOf(changed)!.value;
    expect(`wk_session=${rotated}`).not.toBe(here.cookie);
    expect((await whoAmI(here.cookie)).statusCode).toBe(401);
    expect((await whoAmI(elsewhere.cookie)).statusCode).toBe(401);
    expect((await whoAmI(`wk_session=${rotated}`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: account.email, password: account.password } })).statusCode).toBe(
      401,
    );
    await login(t.app, { email: account.email, password: newPassword });
  });

  it('gives a session a fresh id on its next request after a privilege change', async () => {
    const admin = await signIn(t.app, { role: 'admin' });
    const member = await signIn(t.app, { role: 'viewer' });
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/users/${member.id}`, headers: admin.headers, payload: { role: 'editor' } });
    expect(patch.statusCode).toBe(200);
    const next = await whoAmI(member.cookie);
    expect(next.statusCode).toBe(200);
    expect(next.json().principal.memberships[0].role).toBe('editor');
    const fresh = sessionCookieOf(next);
    expect(fresh?.value).toBeDefined();
    expect(`wk_session=${fresh!.value}`).not.toBe(member.cookie);
    expect((await whoAmI(member.cookie)).statusCode).toBe(401);
    expect((await whoAmI(`wk_session=${fresh!.value}`)).statusCode).toBe(200);
    // The CSRF token survives the rotation, so an open page can still post.
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: `wk_session=${fresh!.value}`, 'x-csrf-token': member.csrfToken },
    });
    expect(logout.statusCode).toBe(204);
  });
});

describe('sign-in throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      env: {
        RATE_LIMIT_ENABLED: 'false',
        AUTH_LOGIN_MAX_FAILURES: '3',
        AUTH_LOGIN_IP_MAX_FAILURES: '6',
        AUTH_LOCKOUT_BASE_MS: '60000',
        AUTH_COOKIE_SECURE: 'always',
      },
    });
  });
  afterAll(() => t.close());

  const attempt = (payload: { email: string; password: string }, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress: ip });
  const throttleRow = (key: string) => t.app.database.db.selectFrom('login_throttles').selectAll().where('key', '=', key).executeTakeFirst();
  const unlock = (key: string) =>
    t.app.database.db
      .updateTable('login_throttles')
      .set({ locked_until: new Date(Date.now() - 1_000) })
      .where('key', '=', key)
      .execute();

  it('locks an account out after repeated failures, even for the right password, with doubling lockouts', async () => {
    const user = await createUser(t.app);
    const ip = '198.51.100.1';
    for (let i = 0; i < 3; i++) expect((await attempt({ email: user.email, password: 'wrong-password-x' }, ip)).statusCode).toBe(401);
    const locked = await attempt(user, ip);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'WK_ERR_SIGN_IN_LOCKED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const first = (await throttleRow(`account:${user.email}`))!;
    expect(first.locked_until!.getTime() - first.last_failure_at.getTime()).toBe(60_000);

    // Once the lockout passes, one more failure locks again, for twice as long.
    await unlock(`account:${user.email}`);
    expect((await attempt({ email: user.email, password: 'wrong-password-x' }, '198.51.100.2')).statusCode).toBe(401);
    const second = (await throttleRow(`account:${user.email}`))!;
    expect(second.locked_until!.getTime() - second.last_failure_at.getTime()).toBe(120_000);

    await unlock(`account:${user.email}`);
    const ok = await attempt(user, '198.51.100.3');
    expect(ok.statusCode).toBe(200);
    expect(await throttleRow(`account:${user.email}`)).toBeUndefined();
  });

  it('locks out an unknown account the same way, so a lockout reveals nothing', async () => {
    const email = 'ghost@example.test';
    for (let i = 0; i < 3; i++) expect((await attempt({ email, password: 'wrong-password-x' }, '198.51.100.20')).statusCode).toBe(401);
    expect((await attempt({ email, password: 'wrong-password-x' }, '198.51.100.21')).statusCode).toBe(429);
  });

  it('locks out an address that fails across many accounts', async () => {
    const ip = '198.51.100.40';
    for (let i = 0; i < 6; i++) expect((await attempt({ email: `spray${i}@example.test`, password: 'wrong-password-x' }, ip)).statusCode).toBe(401);
    const user = await createUser(t.app);
    expect((await attempt(user, ip)).statusCode).toBe(429);
    expect((await attempt(user, '198.51.100.41')).statusCode).toBe(200);
  });

  it('lets an administrator lift a lockout by resetting the password', async () => {
    const admin = await createUser(t.app, { role: 'admin' });
    const adminSession = await login(t.app, admin);
    const user = await createUser(t.app);
    for (let i = 0; i < 3; i++) await attempt({ email: user.email, password: 'wrong-password-x' }, '198.51.100.60');
    expect((await attempt(user, '198.51.100.61')).statusCode).toBe(429);
    const password = testPassword();
    const reset = await t.app.inject({ method: 'POST', url: `/api/users/${user.id}/password`, headers: adminSession.headers, payload: { password } });
    expect(reset.statusCode).toBe(204);
    expect((await attempt({ email: user.email, password }, '198.51.100.62')).statusCode).toBe(200);
  });

  it('audits sign-in successes, failures, lockouts and logouts', async () => {
    const actions = (await t.app.database.db
      .selectFrom('audit_log' as never)
      .select(['action as action', 'outcome as outcome'] as never[])
      .execute()) as unknown as Array<{ action: string; outcome: string }>;
    const seen = new Set(actions.map((r) => `${r.action}:${r.outcome}`));
    for (const entry of ['auth.login:success', 'auth.login:failure', 'auth.login:denied', 'auth.lockout:success', 'user.password.reset:success'])
      expect(seen).toContain(entry);
  });

  it('sets the Secure flag when configured to always', async () => {
    const user = await createUser(t.app);
    const response = await attempt(user, '198.51.100.80');
    expect(response.cookies.find((c) => c.name === 'wk_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
  });
});

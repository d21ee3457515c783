/**
 * Property-based fuzzing of every JSON route through app.inject, with the pentest's generator
 * (pentest/checks/fuzz.ts): a few hundred cases per route here, thousands in `npm run pentest`.
 * No answer may be a 5xx or carry a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissions } from '../contracts/permissions.ts';
import { fuzz } from '../pentest/checks/fuzz.ts';
import { leaksStackTrace, type Send } from '../pentest/http.ts';
import { loadOperations } from '../pentest/routes.ts';
import { buildTestApp, createApiKey, type TestApp } from './helpers.ts';

const RUNS = 150;

describe('fuzzing every JSON route', () => {
  let t: TestApp;
  let send: Send;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', AUTH_LOGIN_IP_MAX_FAILURES: '1000000', AUTH_LOGIN_MAX_FAILURES: '1000000' } });
    send = async ({ method, url, headers, body }) => {
      const response = await t.app.inject({ method: method as 'GET', url, headers, ...(body !== undefined ? { payload: body } : {}) });
      return { status: response.statusCode, headers: response.headers as Record<string, string>, body: response.body };
    };
  });
  afterAll(() => t.close());

  it('recognises a stack trace', () => {
    expect(leaksStackTrace('Error: boom\n    at handler (/work/server/x.ts:3:9)')).toBe(true);
    expect(leaksStackTrace('{"title":"Bad Request","detail":"at least 1 item"}')).toBe(false);
  });

  it('answers 400, not 500, to text PostgreSQL cannot store (a NUL byte)', async () => {
    const key = await createApiKey(t.app, { scopes: [...permissions] });
    const json = { ...key.headers, 'content-type': 'application/json' };
    const login = await send({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a\u0000b@example.test', password: 'x' }),
    });
    const role = await send({
      method: 'POST',
      url: '/api/roles',
      headers: json,
      body: JSON.stringify({ name: 'nul-role', permissions: ['health:read'], description: 'a\u0000b' }),
    });
    const audit = await send({ method: 'GET', url: '/api/audit?actorId=a%00b', headers: key.headers });
    expect([login.status, role.status, audit.status]).toEqual([400, 400, 400]);
  });

  it('answers no 5xx and no stack trace to generated bodies and query strings', async () => {
    const key = await createApiKey(t.app, { scopes: [...permissions] });
    const operations = await loadOperations(send);
    expect(operations.length).toBeGreaterThan(20);
    const result = await fuzz({ send, operations, headers: key.headers, numRuns: RUNS });
    expect(result.findings).toEqual([]);
  }, 240_000);
});

import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeadersPlugin } from './index.ts';

describe('securityHeadersPlugin', () => {
  it('marks every response to an authenticated caller no-store, whatever its path', async () => {
    const app = Fastify();
    await app.register(securityHeadersPlugin);
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization) request.principal = { kind: 'user', userId: 'u', email: 'u@example.test', sessionId: 's', organizationId: 'o' };
    });
    app.get('/dashboard', async (_request, reply) => reply.header('cache-control', 'public, max-age=600').send({ ok: true }));
    try {
      expect((await app.inject({ url: '/dashboard', headers: { authorization: 'x' } })).headers['cache-control']).toBe('no-store');
      expect((await app.inject({ url: '/dashboard' })).headers['cache-control']).toBe('public, max-age=600');
    } finally {
      await app.close();
    }
  });
});

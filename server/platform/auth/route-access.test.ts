import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { isValidAccess, routeAccessPlugin } from './route-access.ts';

describe('route access declarations', () => {
  it('refuses to start when a route declares no access', async () => {
    const app = Fastify();
    await app.register(routeAccessPlugin);
    app.get('/declared', { config: { access: 'public' } }, async () => 'ok');
    app.get('/forgotten', async () => 'oops');
    await expect(app.ready()).rejects.toThrow(/GET \/forgotten/);
    await app.close();
  });

  it('refuses a permission that is not in the catalogue', async () => {
    const app = Fastify();
    await app.register(routeAccessPlugin);
    app.get('/typo', { config: { access: { permission: 'health:raed' as never } } }, async () => 'x');
    await expect(app.ready()).rejects.toThrow(/GET \/typo/);
    await app.close();
  });

  it('knows the valid shapes', () => {
    expect(isValidAccess('public')).toBe(true);
    expect(isValidAccess('authenticated')).toBe(true);
    expect(isValidAccess({ permission: 'users:write' })).toBe(true);
    expect(isValidAccess({ permission: 'health:read', organization: 'system' })).toBe(true);
    expect(isValidAccess({ permission: 'health:read', organization: 'elsewhere' })).toBe(false);
    expect(isValidAccess(undefined)).toBe(false);
    expect(isValidAccess('private')).toBe(false);
  });
});

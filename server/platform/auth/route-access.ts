/**
 * Every route declares who may call it, in its own definition:
 *   config: { access: { permission: 'services:write' } }   authenticated, with that permission
 *   config: { access: 'authenticated' }                      any signed-in user or API key (logout, who am I)
 *   config: { access: 'public' }                             anyone (health probes, login, docs)
 *   config: { access: 'optional' }                           anyone, with the caller identified when
 *                                                            signed in (the dashboard's pages; no CSRF
 *                                                            header check: such a route checks its form's token)
 * `{ permission, organization: 'system' }` asks for the permission in the system organization:
 * instance-level routes such as Watchkeeper's own health, which belongs to no tenant.
 * A route registered without a valid declaration stops the app from starting (routeAccessPlugin),
 * and a test walks every registered route.
 */
import fp from 'fastify-plugin';
import type { RouteOptions } from 'fastify';
import { isPermission, type Permission } from '../../../contracts/permissions.ts';

export type RouteAccess = 'public' | 'optional' | 'authenticated' | { permission: Permission; organization?: 'system' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyInstance {
    /** Every route registered so far with its declared access (for the route-walking test). */
    registeredRoutes(): RegisteredRoute[];
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

export function isValidAccess(access: unknown): access is RouteAccess {
  if (access === 'public' || access === 'optional' || access === 'authenticated') return true;
  if (typeof access !== 'object' || access === null) return false;
  const { permission, organization } = access as { permission?: unknown; organization?: unknown };
  return typeof permission === 'string' && isPermission(permission) && (organization === undefined || organization === 'system');
}

/** An onRoute hook that declares every route of the context it is added to public (the docs UI). */
export function declarePublic(route: RouteOptions): void {
  route.config = { ...route.config, access: 'public' };
}

/**
 * Records every route and refuses to start when one lacks a valid access declaration. The check
 * runs on ready rather than per route, so a plugin may fill the declaration in its own onRoute
 * hook (as the docs UI's wrapper does). Register it before any route.
 */
export const routeAccessPlugin = fp(
  async (app) => {
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => {
      routes.push(route);
    });
    const list = (): RegisteredRoute[] =>
      routes.flatMap((route) =>
        (Array.isArray(route.method) ? route.method : [route.method]).map((method) => ({
          method: String(method),
          url: route.url,
          access: route.config?.access,
        })),
      );
    app.decorate('registeredRoutes', list);
    app.addHook('onReady', async () => {
      const missing = list().filter((route) => !isValidAccess(route.access));
      if (missing.length > 0) {
        throw new Error(`routes without a valid config.access declaration: ${missing.map((r) => `${r.method} ${r.url}`).join(', ')}`);
      }
    });
  },
  { name: 'route-access' },
);

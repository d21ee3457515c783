/**
 * Every route declares who may call it, in its own definition:
 *   config: { access: { permission: 'services:write' } }   authenticated, with that permission
 *   config: { access: 'public' }                            anyone (health probes, login, docs)
 * A route registered without a declaration stops the app from starting (see assertRouteAccess),
 * and a test walks every registered route.
 */
import type { Permission } from '../../../contracts/permissions.ts';

export type RouteAccess = 'public' | { permission: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

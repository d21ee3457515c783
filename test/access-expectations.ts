/**
 * What a route's declared access should make of a caller, restated independently of the
 * enforcement code so the authorization matrix (tests) and the pentest check it from outside.
 */
import type { Permission } from '../contracts/permissions.ts';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import type { RouteAccess } from '../server/platform/auth/index.ts';

export interface AccessHolder {
  organizationId: string;
  holds: readonly Permission[];
}

export function expectedAccess(access: RouteAccess, caller: AccessHolder | undefined): 'allowed' | 401 | 403 {
  if (access === 'public' || access === 'optional') return 'allowed';
  if (!caller) return 401;
  if (access === 'authenticated') return 'allowed';
  if (access.organization === 'system' && caller.organizationId !== SYSTEM_ORGANIZATION_ID) return 403;
  return caller.holds.includes(access.permission) ? 'allowed' : 403;
}

/**
 * Dashboard pages are `optional` routes, but a page whose data the caller may not read answers
 * 403 with the API's reason (its loader's refusal): for a signed-in session the page is held to
 * its data's access. An API key gets the redirect to sign-in instead.
 */
export const PAGE_DATA_ACCESS: Record<string, RouteAccess> = {
  'GET /admin/users': { permission: 'users:read' },
  'GET /admin/roles': { permission: 'roles:read' },
  'GET /admin/ip-rules': { permission: 'ip-rules:read', organization: 'system' },
  'GET /admin/organizations': 'authenticated',
  'GET /admin/audit': { permission: 'audit:read' },
  'GET /admin/security-events': { permission: 'security-events:read' },
  'GET /admin/api-keys': { permission: 'api-keys:read' },
};

/** The access a caller meets on a route: the page's data access for a session, else the route's. */
export function effectiveAccess(key: string, access: RouteAccess, caller: { headers: Record<string, string> } | undefined): RouteAccess {
  return (caller?.headers.cookie && PAGE_DATA_ACCESS[key]) || access;
}

/**
 * Routes whose access depends on where the caller is (route config says `optional`): from loopback
 * anyone, from elsewhere as declared here. The matrix calls them from ELSEWHERE.
 */
export const ELSEWHERE = '203.0.113.7';
export const ACCESS_FROM_ELSEWHERE: Record<string, RouteAccess> = {
  // METRICS_ALLOW_NETWORKS (loopback by default) scrape without credentials.
  'GET /metrics': { permission: 'metrics:read', organization: 'system' },
};

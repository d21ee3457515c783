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

/**
 * Every permission Watchkeeper knows, in one place. A permission is `<subject>:<action>`; routes
 * declare the one they need (server/platform/auth/route-access.ts), roles are sets of them.
 */
export const permissions = [
  'health:read',
  'health:test',
  'services:read',
  'services:write',
  'audit:read',
  'audit:verify',
  'users:read',
  'users:write',
  'roles:read',
  'roles:write',
  'api-keys:read',
  'api-keys:write',
  'ip-rules:read',
  'ip-rules:write',
  'security-events:read',
  'organizations:read',
  'organizations:write',
  'projects:read',
  'projects:write',
  'logs:write',
  'logs:read',
] as const;

export type Permission = (typeof permissions)[number];

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

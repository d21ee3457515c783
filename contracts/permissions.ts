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
  'status-pages:read',
  'status-pages:write',
  'metrics:read',
  'metrics:write',
  'alerts:read',
  'alerts:write',
] as const;

export type Permission = (typeof permissions)[number];

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

/** Built-in roles, weakest first. Each holds its own permissions plus those of the roles before it. */
export const builtInRoles = ['viewer', 'editor', 'admin', 'owner'] as const;
export type BuiltInRole = (typeof builtInRoles)[number];

const ownPermissions: Record<BuiltInRole, readonly Permission[]> = {
  viewer: ['health:read', 'services:read', 'projects:read', 'organizations:read', 'logs:read', 'status-pages:read', 'alerts:read'],
  // An editor changes what is monitored — within the projects their membership covers.
  // alerts:write: post alerts, silence and acknowledge them, edit rules and routes.
  editor: ['services:write', 'logs:write', 'metrics:write', 'alerts:write'],
  admin: [
    'health:test',
    'users:read',
    'users:write',
    'roles:read',
    'roles:write',
    'api-keys:read',
    'api-keys:write',
    'ip-rules:read',
    'ip-rules:write',
    'audit:read',
    'audit:verify',
    'security-events:read',
    'projects:write',
    // What the public page of the organization says, and the incidents written on it.
    'status-pages:write',
    // Watchkeeper's own Prometheus metrics (GET /metrics): an instance's internals, for its operators.
    'metrics:read',
  ],
  owner: ['organizations:write'],
};

/** The permissions a built-in role holds, inherited ones included (admin ⊇ editor ⊇ viewer). */
export function builtInRolePermissions(role: BuiltInRole): Permission[] {
  const rank = builtInRoles.indexOf(role);
  return builtInRoles.slice(0, rank + 1).flatMap((r) => ownPermissions[r]);
}

export function isBuiltInRole(value: string): value is BuiltInRole {
  return (builtInRoles as readonly string[]).includes(value);
}

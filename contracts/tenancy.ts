/**
 * Everything stored belongs to an organization and a project. Until accounts exist, Watchkeeper's
 * own objects live in the built-in organization and project created by the first migration.
 */
export const SYSTEM_ORGANIZATION_ID = '00000000-0000-4000-8000-000000000001';
export const SYSTEM_PROJECT_ID = '00000000-0000-4000-8000-000000000002';

export interface TenantScope {
  organizationId: string;
  projectId: string;
}

export const SYSTEM_SCOPE: TenantScope = { organizationId: SYSTEM_ORGANIZATION_ID, projectId: SYSTEM_PROJECT_ID };

export function sameScope(a: TenantScope, b: TenantScope): boolean {
  return a.organizationId === b.organizationId && a.projectId === b.projectId;
}

/** A map key for something named within a scope (a health component, a service). */
export function scopedKey(scope: TenantScope, name: string): string {
  return `${scope.organizationId}/${scope.projectId}/${name}`;
}

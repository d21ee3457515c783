/**
 * Who may do what, as CASL abilities. A grant is a set of permissions held in an organization,
 * or in one project of it; each permission `<subject>:<action>` becomes a rule whose conditions
 * pin it to that organization (and project). A route checks the permission alone ("anywhere in the
 * acting organization"); a handler checks a resource with `canOn`, which applies the conditions.
 */
import { createMongoAbility, subject as asSubject, type MongoAbility, type RawRuleOf } from '@casl/ability';
import type { Permission } from '../../../contracts/permissions.ts';

export type AppAbility = MongoAbility<[string, string]>;

export interface Grant {
  organizationId: string;
  /** null: the whole organization. */
  projectId: string | null;
  permissions: readonly Permission[];
}

export interface ResourceScope {
  organizationId: string;
  projectId?: string | null | undefined;
}

function split(permission: Permission): [subject: string, action: string] {
  const at = permission.lastIndexOf(':');
  return [permission.slice(0, at), permission.slice(at + 1)];
}

export function buildAbility(grants: readonly Grant[]): AppAbility {
  const rules: RawRuleOf<AppAbility>[] = [];
  for (const grant of grants) {
    for (const permission of grant.permissions) {
      const [subject, action] = split(permission);
      rules.push({
        action,
        subject,
        conditions: grant.projectId ? { organizationId: grant.organizationId, projectId: grant.projectId } : { organizationId: grant.organizationId },
      });
    }
  }
  return createMongoAbility<AppAbility>(rules);
}

/** Holds the permission somewhere (the route-level check; conditions are not applied). */
export function can(ability: AppAbility, permission: Permission): boolean {
  const [subject, action] = split(permission);
  return ability.can(action, subject);
}

/** Holds the permission on a resource of this organization and project. */
export function canOn(ability: AppAbility, permission: Permission, scope: ResourceScope): boolean {
  const [subject, action] = split(permission);
  return ability.can(action, asSubject(subject, { organizationId: scope.organizationId, projectId: scope.projectId ?? null }) as unknown as string);
}

export const emptyAbility = (): AppAbility => createMongoAbility<AppAbility>([]);

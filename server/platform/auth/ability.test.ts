import { describe, expect, it } from 'vitest';
import { builtInRolePermissions } from '../../../contracts/permissions.ts';
import { buildAbility, can, canOn } from './ability.ts';

const orgA = 'aaaaaaaa-0000-4000-8000-000000000000';
const orgB = 'bbbbbbbb-0000-4000-8000-000000000000';
const project1 = '11111111-0000-4000-8000-000000000000';
const project2 = '22222222-0000-4000-8000-000000000000';

describe('abilities', () => {
  it('makes built-in roles inherit: owner ⊇ admin ⊇ editor ⊇ viewer', () => {
    const [viewer, editor, admin, owner] = (['viewer', 'editor', 'admin', 'owner'] as const).map((r) => new Set(builtInRolePermissions(r)));
    for (const [weaker, stronger] of [
      [viewer, editor],
      [editor, admin],
      [admin, owner],
    ] as const) {
      for (const p of weaker!) expect(stronger!.has(p)).toBe(true);
      expect(stronger!.size).toBeGreaterThan(weaker!.size);
    }
    expect(admin!.has('organizations:write')).toBe(false);
    expect(editor!.has('users:write')).toBe(false);
  });

  it('pins an organization-wide grant to its organization', () => {
    const ability = buildAbility([{ organizationId: orgA, projectId: null, permissions: ['services:write'] }]);
    expect(can(ability, 'services:write')).toBe(true);
    expect(canOn(ability, 'services:write', { organizationId: orgA, projectId: project1 })).toBe(true);
    expect(canOn(ability, 'services:write', { organizationId: orgA })).toBe(true);
    expect(canOn(ability, 'services:write', { organizationId: orgB, projectId: project1 })).toBe(false);
    expect(can(ability, 'users:write')).toBe(false);
  });

  it('lets a project-scoped editor change only the projects they belong to', () => {
    const ability = buildAbility([
      { organizationId: orgA, projectId: null, permissions: builtInRolePermissions('viewer') },
      { organizationId: orgA, projectId: project1, permissions: builtInRolePermissions('editor') },
    ]);
    expect(can(ability, 'services:write')).toBe(true); // the route-level check: held somewhere here
    expect(canOn(ability, 'services:write', { organizationId: orgA, projectId: project1 })).toBe(true);
    expect(canOn(ability, 'services:write', { organizationId: orgA, projectId: project2 })).toBe(false);
    expect(canOn(ability, 'services:write', { organizationId: orgA })).toBe(false); // not organization-wide
    expect(canOn(ability, 'services:read', { organizationId: orgA, projectId: project2 })).toBe(true);
  });

  it('grants nothing without grants', () => {
    expect(can(buildAbility([]), 'health:read')).toBe(false);
  });
});

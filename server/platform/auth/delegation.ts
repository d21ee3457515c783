/**
 * Checks handlers make beyond a route's declared access, when one principal acts on another's
 * rights: nobody grants, takes away or acts on more than they hold themselves, where it applies.
 */
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../../../contracts/permissions.ts';
import { AppError } from '../errors/index.ts';
import { buildAbility, canOn, type AppAbility } from './ability.ts';
import type { MembershipGrant } from './membership-repository.ts';

/**
 * What the caller may do in an organization that need not be the one the request acts in: a
 * user's memberships there, or an API key's scopes in its own organization. Undefined when the
 * caller is not a member, which the caller then hears as 404 (no existence oracle).
 */
export function abilityIn(request: FastifyRequest, organizationId: string): AppAbility | undefined {
  const principal = request.principal!;
  if (principal.kind === 'api-key') return principal.organizationId === organizationId ? request.ability : undefined;
  const grants = (request.grants ?? []).filter((g) => g.organizationId === organizationId);
  return grants.length > 0 ? buildAbility(grants) : undefined;
}

/**
 * Refuses when the caller lacks any of `held` where it applies — the permissions of a role given,
 * or of a membership acted on. Nobody grants, or takes away, more than they hold themselves.
 */
export function assertHoldsAllOn(
  request: FastifyRequest,
  held: readonly Permission[],
  scope: { organizationId: string; projectId: string | null },
  what: string,
): void {
  const missing = held.filter((p) => !canOn(request.ability, p, scope));
  if (missing.length > 0)
    throw new AppError(
      'WK_ERR_PRIVILEGE_ESCALATION',
      `${what} needs permissions you do not hold${scope.projectId ? ' in that project' : ' organization-wide'}: ${missing.join(', ')}`,
    );
}

/** The signed-in user behind the request, if it is a user. */
export const callerUserId = (request: FastifyRequest): string | undefined => (request.principal?.kind === 'user' ? request.principal.userId : undefined);

/**
 * An account is one login across every organization it belongs to, so disabling it or resetting
 * its password acts on all its memberships: the caller must be able to manage each of them —
 * `users:write` and every permission of its role, where it applies. An administrator of one
 * organization therefore cannot take over an account that also holds rights elsewhere.
 */
export function assertMayManageAccount(request: FastifyRequest, targetGrants: readonly MembershipGrant[], what: string): void {
  for (const grant of targetGrants) {
    const ability = abilityIn(request, grant.organizationId);
    const scope = { organizationId: grant.organizationId, projectId: grant.projectId };
    const missing = ability ? (['users:write', ...grant.permissions] as Permission[]).filter((p) => !canOn(ability, p, scope)) : [];
    if (!ability || missing.length > 0) {
      throw new AppError(
        'WK_ERR_ACCOUNT_NOT_MANAGEABLE',
        `${what} needs the right to manage every membership of this account, including ones ${ability ? `needing ${[...new Set(missing)].join(', ')}` : 'in an organization you do not administer'}; the user can change their own password`,
      );
    }
  }
}

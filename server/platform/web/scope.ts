/**
 * The organization and project the dashboard acts in, picked in the header's switcher and kept in
 * the `wk_scope` cookie (`<organization id>` or `<organization id>:<project id>`). The cookie is a
 * preference, not a credential: it is read only to choose the X-Organization and X-Project headers
 * the pages' API calls send, and a value that is malformed or names an organization or project
 * the user no longer sees is ignored (the defaults apply), so a stale cookie never locks anyone out.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SessionCookieOptions } from '../auth/session-cookie.ts';
import type { InProcessApi, ViewerScope } from './web-bundle.ts';

export const SCOPE_COOKIE = 'wk_scope';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SCOPE_VALUE = new RegExp(`^(${UUID})(?::(${UUID}))?$`);
const YEAR_SECONDS = 365 * 24 * 3600;

export const scopeValueSchema = z.string().max(80).regex(SCOPE_VALUE, 'must be an organization id, optionally followed by ":" and a project id');

export interface ScopeChoice {
  organizationId: string;
  projectId: string | null;
}

/** The cookie's value read back; undefined when absent or malformed. */
export function parseScope(value: string | undefined): ScopeChoice | undefined {
  const match = value === undefined ? null : SCOPE_VALUE.exec(value.toLowerCase());
  return match ? { organizationId: match[1]!, projectId: match[2] ?? null } : undefined;
}

export const formatScope = ({ organizationId, projectId }: ScopeChoice) => (projectId ? `${organizationId}:${projectId}` : organizationId);

/** The headers that make an API call act in the scope. */
export function scopeHeaders(scope: ScopeChoice | undefined): Record<string, string> {
  if (!scope) return {};
  return { 'x-organization': scope.organizationId, ...(scope.projectId ? { 'x-project': scope.projectId } : {}) };
}

interface Listed<T> {
  items: T[];
}

/**
 * What the user may choose from (their organizations and, in each, the projects they can see,
 * through the API as them) and what is chosen: the wanted scope where it is still one of those,
 * else the API's own default (the oldest membership's organization, its first project).
 */
export async function resolveScope(
  api: InProcessApi,
  grants: readonly { organizationId: string }[],
  wanted: ScopeChoice | undefined,
): Promise<ViewerScope | undefined> {
  const organizations = (await api<Listed<{ id: string; name: string }>>('/api/organizations')).items;
  if (organizations.length === 0) return undefined;
  const withProjects = await Promise.all(
    organizations.map(async (organization) => {
      // A member who may not list projects there still acts in the organization's default one.
      const projects = await api<Listed<{ id: string; name: string }>>('/api/projects', { headers: { 'x-organization': organization.id } }).then(
        (listed) => listed.items.map(({ id, name }) => ({ id, name })),
        (error: { status?: number }) => {
          if (error.status === 403) return [];
          throw error;
        },
      );
      return { id: organization.id, name: organization.name, projects };
    }),
  );
  const byDefault = grants[0]?.organizationId;
  const organization = withProjects.find((o) => o.id === wanted?.organizationId) ?? withProjects.find((o) => o.id === byDefault) ?? withProjects[0]!;
  const wantedProject = wanted?.organizationId === organization.id ? wanted.projectId : null;
  const project = organization.projects.find((p) => p.id === wantedProject) ?? organization.projects[0];
  return { organizationId: organization.id, projectId: project?.id ?? null, organizations: withProjects };
}

/** Whether the choice is one the user may make: their organization, and a project they see there. */
export function isOffered(scope: ViewerScope, choice: ScopeChoice): boolean {
  const organization = scope.organizations.find((o) => o.id === choice.organizationId);
  if (!organization) return false;
  return choice.projectId === null ? organization.projects.length === 0 : organization.projects.some((p) => p.id === choice.projectId);
}

export function setScopeCookie(request: FastifyRequest, reply: FastifyReply, choice: ScopeChoice, { secure }: SessionCookieOptions): void {
  reply.setCookie(SCOPE_COOKIE, formatScope(choice), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secure === 'always' || (secure === 'auto' && request.protocol === 'https'),
    maxAge: YEAR_SECONDS,
  });
}

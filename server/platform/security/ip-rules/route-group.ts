/**
 * Route groups IP rules are scoped to. A route may name its group in its config
 * (`config: { ipRuleGroup: 'ingest' }`); otherwise the URL decides: /api/** is the admin API,
 * /health/** the probes, everything else the web UI and docs. `all` scopes a rule to every group.
 */
import type { FastifyRequest } from 'fastify';

export const routeGroups = ['admin', 'ingest', 'health', 'web'] as const;
export type RouteGroup = (typeof routeGroups)[number];
export const ruleScopes = ['all', ...routeGroups] as const;
export type RuleScope = (typeof ruleScopes)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The IP-rule group of this route when its URL prefix does not say it. */
    ipRuleGroup?: RouteGroup;
  }
}

const byPrefix: Array<[string, RouteGroup]> = [
  ['/api/', 'admin'],
  ['/health/', 'health'],
];

export function routeGroupOf(request: FastifyRequest): RouteGroup {
  const declared = request.routeOptions.config?.ipRuleGroup;
  if (declared) return declared;
  const path = request.url.split('?')[0]!;
  return byPrefix.find(([prefix]) => path.startsWith(prefix) || `${path}/` === prefix)?.[1] ?? 'web';
}

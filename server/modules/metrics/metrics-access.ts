/**
 * Who may scrape: anyone from METRICS_ALLOW_NETWORKS (loopback by default), so a Prometheus or
 * agent on the same host needs no credentials; from elsewhere a principal holding `metrics:read`
 * in the system organization (Prometheus's `authorization` block sends an API key as a bearer
 * token). The route is `optional` for the auth plugin, which authenticates whoever brings
 * credentials (an invalid key is still 401); this route hook, which runs after it, then decides.
 */
import { BlockList } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import { AppError } from '../../platform/errors/index.ts';
import { can, recordDenial } from '../../platform/auth/index.ts';
import { parseCidr, parseIp } from '../../platform/security/ip-rules/cidr.ts';

export const METRICS_PERMISSION = 'metrics:read';

/** The networks as a BlockList; addresses are matched after unwrapping IPv4-mapped IPv6. */
export function anonymousNetworks(networks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const network of networks) {
    const cidr = parseCidr(network);
    if (cidr) list.addSubnet(cidr.network, cidr.prefix, cidr.family);
  }
  return (address) => {
    const ip = parseIp(address);
    return ip !== undefined && list.check(ip.address, ip.family);
  };
}

/** The same rule as an access of `{ permission: 'metrics:read', organization: 'system' }`. */
function holdsMetricsRead(request: FastifyRequest): boolean {
  const principal = request.principal;
  if (!principal) return false;
  if (principal.kind === 'api-key') return principal.organizationId === SYSTEM_ORGANIZATION_ID && can(request.ability, METRICS_PERMISSION);
  return (request.grants ?? []).some((grant) => grant.organizationId === SYSTEM_ORGANIZATION_ID && grant.permissions.includes(METRICS_PERMISSION));
}

export function metricsAccessHook(app: FastifyInstance, { networks }: { networks: readonly string[] }) {
  const isAnonymousNetwork = anonymousNetworks(networks);
  return async function checkMetricsAccess(request: FastifyRequest): Promise<void> {
    if (isAnonymousNetwork(request.ip)) return;
    const principal = request.principal;
    if (!principal)
      throw new AppError('WK_ERR_UNAUTHORIZED', `from ${request.ip}, /metrics needs an API key with the ${METRICS_PERMISSION} scope as a bearer token`);
    if (holdsMetricsRead(request)) return;
    await recordDenial(app, request, {
      action: 'access.denied',
      outcome: 'denied',
      organizationId: principal.organizationId,
      details: { permission: METRICS_PERMISSION, method: request.method, route: request.routeOptions.url },
    });
    throw new AppError('WK_ERR_PERMISSION_DENIED', `this needs the permission ${METRICS_PERMISSION} in the system organization`);
  };
}

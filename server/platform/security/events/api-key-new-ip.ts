/**
 * API key use from a new address. Successful key use is not audited (it would be every request),
 * so this watches authenticated requests directly: the addresses each key was used from are kept
 * in security_api_key_ips; a key's first address is normal, a later new one is an event.
 */
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Detection } from './detector.ts';
import { API_KEY_IP_TOUCH_INTERVAL_MINUTES, type SecurityEventsRepository } from './security-events-repository.ts';

export function apiKeyNewIpWatcher({
  repository,
  maxRemembered = 10_000,
  rememberMs = 2 * API_KEY_IP_TOUCH_INTERVAL_MINUTES * 60_000,
}: {
  repository: SecurityEventsRepository;
  maxRemembered?: number;
  /** How long a stored pair is trusted before the database is asked (and its last_seen bumped) again. */
  rememberMs?: number;
}) {
  // Pairs this instance already stored: the database is asked once per key, address and
  // `rememberMs`, not per request — and still often enough that retention sees the address in use.
  const known = new LRUCache<string, true>({ max: maxRemembered, ttl: rememberMs });

  return async function observe(request: FastifyRequest): Promise<Detection | undefined> {
    const principal = request.principal;
    if (principal?.kind !== 'api-key') return undefined;
    const pair = `${principal.apiKeyId}|${request.ip}`;
    if (known.has(pair)) return undefined;
    const { isNew, knownIps } = await repository.rememberApiKeyIp({ apiKeyId: principal.apiKeyId, ip: request.ip, organizationId: principal.organizationId });
    known.set(pair, true);
    if (!isNew || knownIps === 0) return undefined;
    return {
      kind: 'api-key-new-ip',
      // One new address is routine (a redeploy); a key spreading over many is worth a closer look.
      severity: knownIps >= 3 ? 'medium' : 'low',
      subject: `api-key:${principal.apiKeyId}`,
      organizationId: principal.organizationId,
      // New addresses after the first, so the event's count grows as the key spreads.
      count: knownIps,
      details: { apiKeyId: principal.apiKeyId, keyPrefix: principal.keyPrefix, ip: request.ip, previouslySeenIps: knownIps },
    };
  };
}

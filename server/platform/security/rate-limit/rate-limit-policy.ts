/**
 * What a request is limited by: its route class (declared in route config, else derived from the
 * URL), the bucket it counts against (API key, user, or client address), and the IETF RateLimit
 * header fields that describe the outcome (draft-ietf-httpapi-ratelimit-headers).
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../../infra/config/index.ts';
import { bucketAddress } from '../ip-rules/cidr.ts';

export const rateLimitClasses = ['auth', 'api', 'ingest', 'health', 'exempt'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];
export type LimitedClass = Exclude<RateLimitClass, 'exempt'>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's rate-limit class: `auth` (sign-in and the like: strict), `api` (the default),
     * `ingest` (telemetry intake: generous), `health` (probes: their own budget), `exempt`.
     */
    rateLimit?: RateLimitClass;
  }
}

export interface RateLimitPolicy {
  points: number;
  windowSeconds: number;
}

export function policiesFromConfig({ server }: Config): Record<LimitedClass, RateLimitPolicy> {
  return {
    auth: { points: server.rateLimitAuthPoints, windowSeconds: server.rateLimitAuthWindowSeconds },
    api: { points: server.rateLimitApiPoints, windowSeconds: server.rateLimitApiWindowSeconds },
    ingest: { points: server.rateLimitIngestPoints, windowSeconds: server.rateLimitIngestWindowSeconds },
    health: { points: server.rateLimitHealthPoints, windowSeconds: server.rateLimitHealthWindowSeconds },
  };
}

// For routes that do not declare a class (and for 404s, which have no route config). Only the
// auth POSTs (sign-in, password changes) are strict: GET /api/auth/session runs on every page view.
const classByPrefix: Array<{ prefix: string; method?: string; name: RateLimitClass }> = [
  { prefix: '/health/', name: 'health' },
  { prefix: '/api/auth/', method: 'POST', name: 'auth' },
];

export function rateLimitClassOf(request: FastifyRequest): RateLimitClass {
  const declared = request.routeOptions.config?.rateLimit;
  if (declared) return declared;
  const path = request.url.split('?')[0]!;
  return classByPrefix.find(({ prefix, method }) => path.startsWith(prefix) && (!method || method === request.method))?.name ?? 'api';
}

export interface RateLimitBucket {
  kind: 'api-key' | 'user' | 'ip';
  key: string;
}

/**
 * An authenticated caller counts against its API key or user, wherever it calls from; anyone else
 * against the client address (request.ip: the socket peer unless TRUST_PROXY names the proxy).
 */
export function rateLimitBucketOf(request: FastifyRequest): RateLimitBucket {
  const principal = request.principal;
  if (principal?.kind === 'api-key') return { kind: 'api-key', key: `key:${principal.apiKeyId}` };
  if (principal?.kind === 'user') return { kind: 'user', key: `user:${principal.userId}` };
  return { kind: 'ip', key: `ip:${bucketAddress(request.ip)}` };
}

/** `RateLimit-Policy: "api";q=300;w=60` and `RateLimit: "api";r=42;t=17`. */
export function rateLimitHeaders(name: LimitedClass | 'address', policy: RateLimitPolicy, remaining: number, resetSeconds: number): Record<string, string> {
  return {
    'ratelimit-policy': `"${name}";q=${policy.points};w=${policy.windowSeconds}`,
    ratelimit: `"${name}";r=${Math.max(0, remaining)};t=${Math.max(0, resetSeconds)}`,
  };
}

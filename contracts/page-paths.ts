/**
 * Every dashboard page the server renders, by its path (Fastify's syntax) and who may see it.
 * The client's router (web/src/app/routes.tsx) has the same paths (web/src/app/routes.test.ts). Pages stay off /api and /health, which are the API's.
 */
export interface PagePath {
  path: string;
  /**
   * - `signed-in`: sends a visitor to /sign-in (to /setup before the first account);
   * - `public`: for everyone, rendered as whoever asks (never cached);
   * - `anonymous`: for everyone, rendered as nobody whoever asks, so it may be cached publicly.
   */
  access: 'signed-in' | 'public' | 'anonymous';
  /** For `anonymous` pages; every other page is `no-store`. */
  cacheControl?: string;
}

export const PAGE_PATHS: PagePath[] = [
  { path: '/', access: 'signed-in' },
  { path: '/components', access: 'signed-in' },
  { path: '/components/:component', access: 'signed-in' },
  { path: '/admin/users', access: 'signed-in' },
  { path: '/admin/roles', access: 'signed-in' },
  { path: '/admin/ip-rules', access: 'signed-in' },
  { path: '/admin/organizations', access: 'signed-in' },
  { path: '/sign-in', access: 'public' },
  { path: '/services', access: 'signed-in' },
  { path: '/services/new', access: 'signed-in' },
  { path: '/services/:name', access: 'signed-in' },
  // The metrics pages: /metrics is the Prometheus exposition, so they are the charts.
  { path: '/charts', access: 'signed-in' },
  { path: '/charts/http', access: 'signed-in' },
  { path: '/charts/database', access: 'signed-in' },
  { path: '/charts/cache', access: 'signed-in' },
  { path: '/charts/explore', access: 'signed-in' },
  { path: '/accessibility', access: 'anonymous', cacheControl: 'public, max-age=3600' },
  { path: '/status-page', access: 'signed-in' },
  { path: '/status/:slug', access: 'anonymous', cacheControl: 'public, max-age=30' },
  { path: '/admin/audit', access: 'signed-in' },
  { path: '/admin/security-events', access: 'signed-in' },
  { path: '/admin/api-keys', access: 'signed-in' },
  { path: '/account', access: 'signed-in' },
];

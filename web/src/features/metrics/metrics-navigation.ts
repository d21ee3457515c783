/** The metrics pages, in the order their links show; every one keeps the time range in its URL. */
export const METRICS_PAGES = [
  { to: '/charts', label: 'Resources' },
  { to: '/charts/http', label: 'HTTP' },
  { to: '/charts/database', label: 'Database' },
  { to: '/charts/cache', label: 'Cache' },
  { to: '/charts/explore', label: 'Explore' },
] as const;

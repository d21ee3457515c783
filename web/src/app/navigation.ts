/** The main navigation, in order: each feature adds its entry when it adds its pages. */
export interface NavigationEntry {
  to: string;
  label: string;
  /** The paths under this prefix belong to the entry too (Administration: every /admin page). */
  section?: string;
}

export const NAVIGATION: NavigationEntry[] = [
  { to: '/', label: 'Overview' },
  { to: '/components', label: 'Health' },
  { to: '/services', label: 'Services' },
  { to: '/charts', label: 'Metrics', section: '/charts' },
  { to: '/status-page', label: 'Status page' },
  { to: '/admin/audit', label: 'Administration', section: '/admin' },
  { to: '/account', label: 'Account' },
];

/** The entry a path belongs to: the longest `to` that is the path or a parent of it. */
export function currentEntry(pathname: string): NavigationEntry | undefined {
  const prefix = (entry: NavigationEntry) => entry.section ?? entry.to;
  return NAVIGATION.filter((entry) => pathname === entry.to || (entry.to !== '/' && pathname.startsWith(`${prefix(entry)}/`))).sort(
    (a, b) => b.to.length - a.to.length,
  )[0];
}

/** The main navigation, in order: each feature adds its entry when it adds its pages. */
export interface NavigationEntry {
  to: string;
  label: string;
}

export const NAVIGATION: NavigationEntry[] = [
  { to: '/', label: 'Overview' },
  { to: '/admin/audit', label: 'Administration' },
  { to: '/account', label: 'Account' },
];

/** The entry a path belongs to: the longest `to` that is the path or a parent of it. */
export function currentEntry(pathname: string): NavigationEntry | undefined {
  return NAVIGATION.filter((entry) => pathname === entry.to || (entry.to !== '/' && pathname.startsWith(`${entry.to}/`))).sort(
    (a, b) => b.to.length - a.to.length,
  )[0];
}

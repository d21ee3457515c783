/**
 * The administration pages, in the order of the sub-navigation every admin page shows. Each
 * administration feature appends its entry here when it adds its page.
 */
import type { NavigationEntry } from '../../app/navigation.ts';

export const ADMIN_NAVIGATION: NavigationEntry[] = [
  { to: '/admin/audit', label: 'Audit log' },
  { to: '/admin/security-events', label: 'Security events' },
  { to: '/admin/api-keys', label: 'API keys' },
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/roles', label: 'Roles' },
  { to: '/admin/ip-rules', label: 'IP rules' },
  { to: '/admin/organizations', label: 'Organizations' },
];

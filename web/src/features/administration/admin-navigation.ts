/** The Administration section's own sub-navigation, in order. */
export const ADMIN_NAVIGATION: { to: string; label: string }[] = [
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/roles', label: 'Roles' },
  { to: '/admin/ip-rules', label: 'IP rules' },
  { to: '/admin/organizations', label: 'Organizations' },
];

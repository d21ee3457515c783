/**
 * Every page, one lazily loaded module each (code-split per page). A page module exports its
 * `Component` and, when it needs data before it renders (on the server too), a `loader`.
 */
import type { RouteObject } from 'react-router';
import { Layout } from './Layout.tsx';
import { PageError } from './PageError.tsx';

export interface PageHandle {
  title: string;
}

export const routes: RouteObject[] = [
  {
    path: '/',
    Component: Layout,
    ErrorBoundary: PageError,
    children: [
      { index: true, lazy: () => import('../features/overview/overview.page.tsx') },
      { path: 'admin/audit', lazy: () => import('../features/audit/audit.page.tsx') },
      { path: 'admin/security-events', lazy: () => import('../features/security-events/security-events.page.tsx') },
      { path: 'admin/api-keys', lazy: () => import('../features/api-keys/api-keys.page.tsx') },
      { path: 'account', lazy: () => import('../features/account/account.page.tsx') },
    ],
  },
  { path: '/sign-in', ErrorBoundary: PageError, lazy: () => import('../features/auth/sign-in.page.tsx') },
  { path: '/accessibility', ErrorBoundary: PageError, lazy: () => import('../features/accessibility/accessibility.page.tsx') },
];

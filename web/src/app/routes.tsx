/**
 * Every page, one lazily loaded module each (code-split per page). A page module exports its
 * `Component` and, when it needs data before it renders (on the server too), a `loader`.
 */
import type { Params, RouteObject } from 'react-router';
import { Layout } from './Layout.tsx';
import { PageError } from './PageError.tsx';

export interface PageHandle {
  /** The document's title: fixed, or named after what the page shows (its parameters, its loaded data). */
  title: string | ((page: { params: Params; data: unknown }) => string);
}

export function pageTitle(handle: unknown, page: { params: Params; data: unknown }): string | undefined {
  const title = (handle as PageHandle | undefined)?.title;
  return typeof title === 'function' ? title(page) : title;
}

export const routes: RouteObject[] = [
  {
    path: '/',
    Component: Layout,
    ErrorBoundary: PageError,
    children: [
      { index: true, lazy: () => import('../features/overview/overview.page.tsx') },
      { path: 'components', lazy: () => import('../features/health/components.page.tsx') },
      { path: 'components/:component', lazy: () => import('../features/health/component.page.tsx') },
      { path: 'services', lazy: () => import('../features/services/services.page.tsx') },
      { path: 'services/new', lazy: () => import('../features/services/service-new.page.tsx') },
      { path: 'services/:name', lazy: () => import('../features/services/service.page.tsx') },
      { path: 'charts', lazy: () => import('../features/metrics/resources.page.tsx') },
      { path: 'charts/http', lazy: () => import('../features/metrics/http.page.tsx') },
      { path: 'charts/database', lazy: () => import('../features/metrics/database.page.tsx') },
      { path: 'charts/cache', lazy: () => import('../features/metrics/cache.page.tsx') },
      { path: 'charts/explore', lazy: () => import('../features/metrics/explore.page.tsx') },
      { path: 'status-page', lazy: () => import('../features/status-pages/status-page-editor.page.tsx') },
      { path: 'admin/users', ErrorBoundary: PageError, lazy: () => import('../features/users/users.page.tsx') },
      { path: 'admin/roles', ErrorBoundary: PageError, lazy: () => import('../features/users/roles.page.tsx') },
      { path: 'admin/ip-rules', ErrorBoundary: PageError, lazy: () => import('../features/ip-rules/ip-rules.page.tsx') },
      { path: 'admin/organizations', ErrorBoundary: PageError, lazy: () => import('../features/tenancy/organizations.page.tsx') },
      { path: 'admin/audit', lazy: () => import('../features/audit/audit.page.tsx') },
      { path: 'admin/security-events', lazy: () => import('../features/security-events/security-events.page.tsx') },
      { path: 'admin/api-keys', lazy: () => import('../features/api-keys/api-keys.page.tsx') },
      { path: 'account', lazy: () => import('../features/account/account.page.tsx') },
    ],
  },
  { path: '/sign-in', ErrorBoundary: PageError, lazy: () => import('../features/auth/sign-in.page.tsx') },
  { path: '/accessibility', ErrorBoundary: PageError, lazy: () => import('../features/accessibility/accessibility.page.tsx') },
  // Public, in a frame of its own (not the signed-in Layout).
  { path: '/status/:slug', ErrorBoundary: PageError, lazy: () => import('../features/status-pages/public-status.page.tsx') },
];

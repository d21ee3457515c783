/** The browser's entry: takes over the page the server rendered (hydration), then runs as an app. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { createBrowserRouter, matchRoutes, RouterProvider, UNSAFE_ErrorResponseImpl as ErrorResponseImpl } from 'react-router';
import { PAGE_DATA_ID, type PageData } from './app/page-data.ts';
import { routes } from './app/routes.tsx';
import { ViewerContext } from './app/viewer.tsx';
import { setApiScope, setCsrfToken } from './shared/api/client.ts';
import { startActionQueue } from './shared/offline/action-queue.ts';
import { watchConnectivity } from './shared/offline/connectivity.ts';
import { registerServiceWorker } from './shared/offline/register-service-worker.ts';
import './styles.css';

const data = JSON.parse(document.getElementById(PAGE_DATA_ID)?.textContent ?? 'null') as PageData | null;
setCsrfToken(data?.viewer?.csrfToken);
setApiScope(data?.viewer?.scope);
watchConnectivity({ pageRenderedAt: data?.renderedAt });
registerServiceWorker(
  data?.viewer ? { email: data.viewer.email, organizationId: data.viewer.scope?.organizationId, projectId: data.viewer.scope?.projectId } : undefined,
);
if (data?.viewer) void startActionQueue().catch((error: unknown) => console.warn('the offline queue is unavailable', error));

// The page's own lazy modules are loaded before hydrating, so the first client render matches
// the server's HTML instead of showing nothing while they load.
const lazyMatches = (matchRoutes(routes, window.location) ?? []).filter((match) => match.route.lazy);
await Promise.all(
  lazyMatches.map(async (match) => {
    const module = await (match.route.lazy as () => Promise<Record<string, unknown>>)();
    Object.assign(match.route, { ...module, lazy: undefined });
  }),
);

/** The server's errors (entry-server.tsx) as the error boundaries saw them there. */
function deserializeErrors(errors: Record<string, unknown> | null | undefined) {
  if (!errors) return errors;
  return Object.fromEntries(
    Object.entries(errors).map(([id, value]) => {
      const error = value as { __type?: string; status: number; statusText: string; data: unknown; message?: string };
      return [id, error.__type === 'RouteErrorResponse' ? new ErrorResponseImpl(error.status, error.statusText, error.data) : new Error(error.message)];
    }),
  );
}

const router = createBrowserRouter(routes, data ? { hydrationData: { ...data.hydration, errors: deserializeErrors(data.hydration.errors) } } : {});
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true } } });

const app = (
  <StrictMode>
    <ViewerContext.Provider value={data?.viewer ?? null}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ViewerContext.Provider>
  </StrictMode>
);
const root = document.getElementById('root')!;
// A page the server rendered is taken over; Vite's dev server (npm run dev) sends an empty one.
if (data) hydrateRoot(root, app);
else createRoot(root).render(app);

/**
 * Server rendering: the server (server/platform/web) calls `render` for a page request with an API
 * that runs in process as the caller, and gets the HTML, the status and the data to hand over.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, isRouteErrorResponse, StaticRouterProvider } from 'react-router';
import type { PageData, Viewer } from './app/page-data.ts';
import { pageTitle, routes } from './app/routes.tsx';
import { ViewerContext } from './app/viewer.tsx';
import type { Api } from './shared/api/client.ts';

export { serializePageData, PAGE_DATA_ID } from './app/page-data.ts';

export type RenderResult =
  { kind: 'redirect'; status: number; location: string } | { kind: 'page'; status: number; html: string; title: string; data: PageData };

const handler = createStaticHandler(routes);

/** Errors as entry-client.tsx reads them back: a route error response keeps its status and data. */
function serializeError(error: unknown): unknown {
  if (isRouteErrorResponse(error)) return { __type: 'RouteErrorResponse', status: error.status, statusText: error.statusText, data: error.data };
  return { __type: 'Error', message: error instanceof Error ? error.message : String(error) };
}

export async function render({ url, api, viewer }: { url: string; api: Api; viewer: Viewer | null }): Promise<RenderResult> {
  const context = await handler.query(new Request(url), { requestContext: { api } as never });
  if (context instanceof Response) {
    return { kind: 'redirect', status: context.status, location: context.headers.get('location') ?? '/' };
  }
  const router = createStaticRouter(handler.dataRoutes, context);
  const html = renderToString(
    <StrictMode>
      <ViewerContext.Provider value={viewer}>
        <QueryClientProvider client={new QueryClient()}>
          <StaticRouterProvider router={router} context={context} hydrate={false} />
        </QueryClientProvider>
      </ViewerContext.Provider>
    </StrictMode>,
  );
  const page = context.matches.at(-1);
  const title = (page && pageTitle(page.route.handle, { params: page.params, data: context.loaderData[page.route.id] })) ?? 'Watchkeeper';
  const errors = context.errors ? Object.fromEntries(Object.entries(context.errors).map(([id, error]) => [id, serializeError(error)])) : null;
  return {
    kind: 'page',
    status: context.statusCode,
    html,
    title,
    data: { hydration: { loaderData: context.loaderData, actionData: context.actionData, errors }, viewer, renderedAt: Date.now() },
  };
}

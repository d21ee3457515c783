/// <reference lib="webworker" />
/**
 * The service worker (served as /sw.js): the app shell precached at install, and the last answer
 * of every page and every API read kept, so a page opened before still shows — with its data as
 * of then — when the network is gone or too slow. Writes are never cached; the offline queue
 * (shared/offline/action-queue.ts) holds them in the page.
 *
 * Network first everywhere: the dashboard shows what is true now whenever it can, and the cache
 * only stands in when the network fails or takes longer than NETWORK_TIMEOUT_SECONDS.
 */
import { precacheAndRoute } from 'workbox-precaching';
import { registerRoute, setCatchHandler } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import { DATA_CACHE, PAGES_CACHE } from './shared/offline/cache-names.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

const NETWORK_TIMEOUT_SECONDS = 4;

self.skipWaiting();
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

precacheAndRoute(self.__WB_MANIFEST);

const onlyOk = {
  /** Only complete, direct answers: never a redirect to sign-in, an error, or a refusal. */
  cacheWillUpdate: async ({ response }: { response: Response }) => (response.status === 200 && !response.redirected ? response : null),
  /** Marked, so the page knows it shows an earlier answer (shared/api/client.ts). */
  cachedResponseWillBeUsed: async ({ cachedResponse }: { cachedResponse?: Response }) => {
    if (!cachedResponse) return cachedResponse ?? null;
    const headers = new Headers(cachedResponse.headers);
    headers.set('x-wk-from-cache', '1');
    return new Response(await cachedResponse.blob(), { status: cachedResponse.status, statusText: cachedResponse.statusText, headers });
  },
};

// Pages: the HTML the server rendered, with the page's data in it.
registerRoute(
  ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin && !url.pathname.startsWith('/sign-in'),
  new NetworkFirst({ cacheName: PAGES_CACHE, networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS, plugins: [onlyOk] }),
);

// API reads the pages make after they took over (polling, client-side navigation).
const NEVER_CACHED = ['/api/auth/', '/api/audit/export', '/api/client-errors'];
registerRoute(
  ({ request, url }) =>
    request.method === 'GET' &&
    url.origin === self.location.origin &&
    (url.pathname.startsWith('/api/') || url.pathname === '/health/status' || url.pathname.startsWith('/health/history')) &&
    !NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix)),
  new NetworkFirst({ cacheName: DATA_CACHE, networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS, plugins: [onlyOk] }),
);

// A page never opened before, with no network: say so rather than the browser's error page.
setCatchHandler(async ({ request }) => {
  if (request.mode !== 'navigate') return Response.error();
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · Watchkeeper</title></head><body><main><h1>You are offline</h1><p>This page was not opened on this device before, so there is no copy of it to show. Pages you opened before still work: <a href="/">go to the overview</a>.</p></main></body></html>`;
  return new Response(body, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
});

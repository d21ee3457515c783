/**
 * Installs the service worker (/sw.js), and empties its caches of pages and data — and the
 * offline queue — whenever nobody is signed in, so the next person at this browser never sees the
 * last one's pages.
 */
import { DATA_CACHE, PAGES_CACHE } from './cache-names.ts';
import { clearQueuedActions } from './action-queue.ts';

export function registerServiceWorker({ signedIn }: { signedIn: boolean }): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  if (!signedIn) {
    void Promise.all([caches.delete(PAGES_CACHE), caches.delete(DATA_CACHE), clearQueuedActions()]).catch(() => undefined);
  }
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    // Without it the dashboard works as before, only not offline.
    console.warn('the service worker could not be installed; the dashboard will not work offline', error);
  });
}

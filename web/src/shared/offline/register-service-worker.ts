/**
 * Installs the service worker (/sw.js) and keeps its copies of pages and data to one owner: the
 * signed-in user acting in one organization and project. Whenever nobody is signed in, the copies
 * and the offline queue are emptied, so the next person at this browser never sees the last one's
 * pages; when the user or the scope changes, the copies are emptied (the queue is not: each queued
 * action carries the scope it was made in), so offline a page never shows another project's data.
 */
import { DATA_CACHE, PAGES_CACHE } from './cache-names.ts';
import { clearQueuedActions } from './action-queue.ts';

const OWNER_KEY = 'wk-offline-owner';

/** Who the copies belong to: e-mail, organization and project; undefined when nobody is signed in. */
export interface OfflineOwner {
  email: string;
  organizationId?: string | undefined;
  projectId?: string | null | undefined;
}

const ownerKey = ({ email, organizationId = '', projectId = '' }: OfflineOwner) => [email, organizationId, projectId ?? ''].join(' ');

async function emptyCopies(): Promise<void> {
  await Promise.all([caches.delete(PAGES_CACHE), caches.delete(DATA_CACHE)]);
}

async function keepCopiesTo(owner: OfflineOwner | undefined): Promise<void> {
  if (!owner) {
    localStorage.removeItem(OWNER_KEY);
    await Promise.all([emptyCopies(), clearQueuedActions()]);
    return;
  }
  const key = ownerKey(owner);
  const previous = localStorage.getItem(OWNER_KEY);
  if (previous === key) return;
  localStorage.setItem(OWNER_KEY, key);
  if (previous === null) return; // the first page after sign-in: nothing earlier was kept
  await emptyCopies();
  // This page, already kept by the worker in the new scope, went with the rest: keep it again.
  await (await caches.open(PAGES_CACHE)).add(window.location.href);
}

export function registerServiceWorker(owner: OfflineOwner | undefined): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  void keepCopiesTo(owner).catch(() => undefined);
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    // Without it the dashboard works as before, only not offline.
    console.warn('the service worker could not be installed; the dashboard will not work offline', error);
  });
}

/**
 * Whether the dashboard can reach Watchkeeper, and since when it cannot: the browser's own
 * online/offline events, and every API call's fate (a fetch that fails on the network while the
 * browser believes it is online — a captive portal, a dead server — counts as offline too).
 */
import { useSyncExternalStore } from 'react';

export interface Connectivity {
  online: boolean;
  /** When the current outage began (ms since the epoch); null while online. */
  offlineSince: number | null;
}

let state: Connectivity = { online: true, offlineSince: null };
const listeners = new Set<() => void>();

function set(online: boolean): void {
  if (online === state.online) return;
  state = { online, offlineSince: online ? null : Date.now() };
  for (const listener of listeners) listener();
}

export const markReachable = () => set(true);
export const markUnreachable = () => set(false);

let renderedAt: number | undefined;
/** When the server rendered the page in view (an offline copy of it is as of then). */
export const pageRenderedAt = () => renderedAt;

/** Starts following the browser's events (once, in the browser). */
export function watchConnectivity({ pageRenderedAt }: { pageRenderedAt?: number | undefined } = {}): void {
  if (typeof window === 'undefined') return;
  renderedAt = pageRenderedAt;
  if (!navigator.onLine) set(false);
  window.addEventListener('online', markReachable);
  window.addEventListener('offline', markUnreachable);
}

export function onConnectivityChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const currentConnectivity = () => state;
const serverConnectivity: Connectivity = { online: true, offlineSince: null };

export function useConnectivity(): Connectivity {
  return useSyncExternalStore(onConnectivityChange, currentConnectivity, () => serverConnectivity);
}

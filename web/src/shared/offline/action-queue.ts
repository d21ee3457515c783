/**
 * Actions that can wait (run a check now; acknowledge and resolve later): sent at once when
 * Watchkeeper is reachable, otherwise kept in IndexedDB and sent in order when it is again. Each
 * outcome is reported to the page: delivered, or a conflict — the server refused it, e.g. the
 * service was deleted meanwhile — with the server's reason. A network failure keeps the action
 * (and those after it) queued.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { useState, useSyncExternalStore } from 'react';
import { ApiError, browserApi, currentScopeHeaders } from '../api/client.ts';
import { currentConnectivity, markReachable, markUnreachable, onConnectivityChange } from './connectivity.ts';

export interface QueuedAction {
  id?: number;
  /** What the user asked for, in their words: "Check payments now". */
  label: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The organization and project it was asked in: sent there even if the user switched meanwhile. */
  scope?: Record<string, string>;
  queuedAt: number;
}

export type ActionOutcome =
  | { kind: 'queued'; action: QueuedAction }
  | { kind: 'delivered'; action: QueuedAction; at: number }
  | { kind: 'conflict'; action: QueuedAction; at: number; reason: string };

const STORE = 'actions';
let database: Promise<IDBPDatabase> | undefined;
const db = () =>
  (database ??= openDB('watchkeeper-offline', 1, {
    upgrade(upgrading) {
      upgrading.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    },
  }));

/** The latest outcome per action, newest first, for the page to show. */
let outcomes: ActionOutcome[] = [];
const listeners = new Set<() => void>();
function report(outcome: ActionOutcome): void {
  outcomes = [outcome, ...outcomes.filter((o) => o.action.id !== outcome.action.id)].slice(0, 20);
  for (const listener of listeners) listener();
}

export function useActionOutcomes(): ActionOutcome[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => outcomes,
    () => [],
  );
}

/**
 * For a page that queued an action: what became of it since, so the page's own line about it does
 * not keep saying "queued" once it was delivered or refused. Undefined until `watch(id)`.
 */
export function useQueuedOutcome(): [ActionOutcome | undefined, (id: number | undefined) => void] {
  const [id, watch] = useState<number | undefined>();
  const all = useActionOutcomes();
  return [id === undefined ? undefined : all.find((outcome) => outcome.action.id === id), watch];
}

const isNetworkFailure = (error: unknown) => error instanceof TypeError;

/** Sends the action now, or queues it when Watchkeeper cannot be reached. */
export async function sendOrQueue<T>(
  action: Omit<QueuedAction, 'queuedAt' | 'id' | 'scope'>,
): Promise<{ queued: false; answer: T } | { queued: true; id: number }> {
  if (currentConnectivity().online) {
    try {
      const answer = await browserApi<T>(action.path, { method: action.method, body: action.body });
      markReachable();
      return { queued: false, answer };
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      markUnreachable();
    }
  }
  const queued: QueuedAction = { ...action, scope: currentScopeHeaders(), queuedAt: Date.now() };
  queued.id = (await (await db()).add(STORE, queued)) as number;
  report({ kind: 'queued', action: queued });
  return { queued: true, id: queued.id };
}

let flushing: Promise<void> | undefined;

/** Sends what is queued, oldest first; stops at the first network failure. */
export function flushQueuedActions(): Promise<void> {
  return (flushing ??= (async () => {
    try {
      const store = await db();
      for (const action of (await store.getAll(STORE)) as QueuedAction[]) {
        try {
          await browserApi(action.path, { method: action.method, body: action.body, ...(action.scope ? { scope: action.scope } : {}) });
          report({ kind: 'delivered', action, at: Date.now() });
        } catch (error) {
          if (isNetworkFailure(error)) {
            markUnreachable();
            return;
          }
          report({ kind: 'conflict', action, at: Date.now(), reason: error instanceof ApiError ? error.message : String(error) });
        }
        await store.delete(STORE, action.id!);
      }
      markReachable();
    } finally {
      flushing = undefined;
    }
  })());
}

/** Shows what is still queued (after a reload) and sends it whenever Watchkeeper is reachable again. */
export async function startActionQueue(): Promise<void> {
  for (const action of (await (await db()).getAll(STORE)) as QueuedAction[]) report({ kind: 'queued', action });
  onConnectivityChange(() => {
    if (currentConnectivity().online) void flushQueuedActions();
  });
  if (currentConnectivity().online) await flushQueuedActions();
}

export async function clearQueuedActions(): Promise<void> {
  await (await db()).clear(STORE);
  outcomes = [];
  for (const listener of listeners) listener();
}

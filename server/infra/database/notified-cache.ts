/**
 * An in-process cache of what is read from PostgreSQL, kept true by the database's own
 * notifications: triggers send a NOTIFY on commit for every change to the rows behind an entry,
 * and whoever subscribes drops what it names (`drop`, `dropWhere`, `clear`).
 *
 * The rule that makes it safe to read from: an entry is used only while the listener is hearing.
 * When it stops hearing (a lost connection, an unanswered heartbeat), notifications may be lost,
 * so the cache empties and answers nothing until it hears again — and empties once more then. A
 * load that began before a drop is not stored (the generation check), so a read from before a
 * change cannot outlive its notification. The TTL bounds everything else.
 */
import { LRUCache } from 'lru-cache';

export interface NotifiedCacheOptions {
  /** 0 turns the cache off: every read goes to the database. */
  ttlMs: number;
  max?: number;
}

export interface PendingLoad<V> {
  /** Stores the value unless something was dropped since the load began. */
  store(value: V): void;
}

export class NotifiedCache<V extends object> {
  readonly #enabled: boolean;
  readonly #entries: LRUCache<string, V>;
  #hearing = false;
  #generation = 0;

  constructor({ ttlMs, max = 10_000 }: NotifiedCacheOptions) {
    this.#enabled = ttlMs > 0;
    this.#entries = new LRUCache<string, V>({ max, ttl: Math.max(ttlMs, 1) });
  }

  /** True when entries are kept and answered. */
  get active(): boolean {
    return this.#enabled && this.#hearing;
  }

  get(key: string): V | undefined {
    return this.active ? this.#entries.get(key) : undefined;
  }

  /** Call before reading from the database; store the result through the handle. */
  loading(key: string): PendingLoad<V> {
    const started = this.#generation;
    return {
      store: (value) => {
        if (this.active && this.#generation === started) this.#entries.set(key, value);
      },
    };
  }

  drop(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  dropWhere(predicate: (value: V, key: string) => boolean): void {
    this.#generation++;
    for (const [key, value] of this.#entries.entries()) if (predicate(value, key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** Whether the notification listener hears; either way what was kept may have missed a change. */
  hearing(listening: boolean): void {
    this.#hearing = listening;
    this.clear();
  }
}

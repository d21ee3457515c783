/**
 * Keeps the audit anchors up to date without slowing down what is audited: an append only marks
 * the anchor stale; at most once per `intervalMs` the writer reads the newest *committed* record
 * (a record appended inside a transaction that later rolls back must never be anchored) and
 * advances every store to it. Failures are logged, never thrown: auditing must not fail because
 * an anchor could not be written.
 *
 * Before advancing a store, the writer checks that the record it anchors still has the anchored
 * hash. If not, the tail was cut or rewritten since: the anchor is left as it is — it is the
 * evidence `watchkeeper audit verify` needs — and the writer logs an error instead.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { AuditAnchorStore } from './audit-anchor.ts';
import type { AuditRepository } from './audit-repository.ts';

/** What the writer last found, for the `audit-log` health component. */
export interface AuditAnchorState {
  /** An anchor no longer matching the log: its tail was cut or rewritten. Stays until restart. */
  violation: { store: string; message: string; at: Date } | undefined;
  /** Stores whose last write or read failed. */
  failing: Array<{ store: string; message: string; at: Date }>;
  /** The log's newest committed record at the last check. */
  head: { seq: number; at: Date } | undefined;
}

export interface AuditAnchorWriter {
  /** Marks the anchor stale; a write follows within `intervalMs`. Never throws. */
  notify(): void;
  state(): AuditAnchorState;
  /** Writes the anchors now (waiting for a write in progress first). Never rejects. */
  flush(): Promise<void>;
  /** Stops the timer and, if an append is not anchored yet, writes once more (bounded by `closeTimeoutMs`). */
  close(): Promise<void>;
}

export interface AuditAnchorWriterOptions {
  repository: Pick<AuditRepository, 'head' | 'hashAt'>;
  stores: AuditAnchorStore[];
  logger: Logger;
  intervalMs?: number;
  closeTimeoutMs?: number;
  /** While a store keeps failing, log it at most this often. */
  logIntervalMs?: number;
  now?: () => Date;
}

export function createAuditAnchorWriter({
  repository,
  stores,
  logger,
  intervalMs = 1_000,
  closeTimeoutMs = 2_000,
  logIntervalMs = 60_000,
  now = () => new Date(),
}: AuditAnchorWriterOptions): AuditAnchorWriter {
  let timer: NodeJS.Timeout | undefined;
  let stale = false;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const lastLoggedAt = new Map<string, number>();
  let violation: AuditAnchorState['violation'];
  const failing = new Map<string, { store: string; message: string; at: Date }>();
  let lastHead: AuditAnchorState['head'];

  function throttled(key: string): boolean {
    const last = lastLoggedAt.get(key) ?? -Infinity;
    if (Date.now() - last < logIntervalMs) return true;
    lastLoggedAt.set(key, Date.now());
    return false;
  }

  async function mismatch(seq: number, anchored: string, head: { seq: number; hash: string }, source: string): Promise<string | undefined> {
    const stored = seq === head.seq ? head.hash : await repository.hashAt(seq);
    if (stored === undefined) return `audit record seq ${seq}, which the ${source} anchor names, is missing`;
    if (stored !== anchored) return `audit record seq ${seq} no longer has the hash its ${source} anchor holds: the log was rewritten`;
    return undefined;
  }

  async function advance(store: AuditAnchorStore, head: { seq: number; hash: string }): Promise<void> {
    const current = await store.read();
    if (current) {
      const found =
        current.seq > head.seq
          ? `the audit log ends at seq ${head.seq} but its ${store.source} anchor names seq ${current.seq}: records were removed`
          : await mismatch(current.seq, current.hash, head, store.source);
      if (found) {
        // Kept as it is: the anchor is the evidence `watchkeeper audit verify` needs.
        violation ??= { store: store.source, message: found, at: now() };
        if (!throttled(`${store.source}:violated`))
          logger.error({ anchor: current, head, store: store.location }, `${found}; the anchor is kept — run \`watchkeeper audit verify\``);
        return;
      }
      if (current.seq >= head.seq) return;
    }
    await store.advance({ ...head, at: now().toISOString() });
  }

  async function write(): Promise<void> {
    stale = false;
    let head: { seq: number; hash: string } | undefined;
    try {
      head = await repository.head();
    } catch (error) {
      stale = true; // try again with the next append or on close
      if (!throttled('head')) logger.warn({ err: error }, 'could not read the audit log head to anchor it');
      return;
    }
    if (!head) return;
    lastHead = { seq: head.seq, at: now() };
    await Promise.all(
      stores.map(async (store) => {
        try {
          await advance(store, head);
          failing.delete(store.source);
        } catch (error) {
          failing.set(store.source, { store: store.source, message: (error as Error).message, at: now() });
          if (!throttled(`${store.source}:failed`)) logger.warn({ err: error, store: store.location }, `could not write the ${store.source} audit anchor`);
        }
      }),
    );
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    queue = queue.then(write, write);
    return queue;
  }

  return {
    notify() {
      stale = true;
      if (closed || timer) return;
      timer = setTimeout(() => void flush(), intervalMs);
      timer.unref();
    },

    flush,

    state: () => ({ violation, failing: [...failing.values()], head: lastHead }),

    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      if (!stale) return queue;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([flush(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, closeTimeoutMs)))]);
      clearTimeout(timeout);
    },
  };
}

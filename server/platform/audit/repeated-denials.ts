/**
 * Repeated identical denials, audited per window rather than per request. A client can repeat a
 * refused request as fast as it likes, and each audit append is a database write under the chain's
 * cluster-wide lock: one row per refusal would let it turn junk into serialized writes. So the
 * first denial of a kind in a window is written at once (`details.count` 1) and the ones after it
 * are only counted, in memory, then written as one record whose `details.count` says how many when
 * the window ends — or earlier when too many kinds are pending, and on close, so nothing counted is
 * lost on a graceful shutdown. Every record carries its count, so their sum is the number of denials.
 *
 * Two denials are identical when they have the same action, outcome, actor, organization, target,
 * client address (an IPv6 /64 counts as one) and details, leaving out the details a caller names as
 * varying (the path a refused address asked for, say): those of the last one seen are kept.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import { bucketAddress } from '../security/ip-rules/cidr.ts';
import type { AuditEntry } from './audit-log.ts';
import { canonicalJson, type JsonValue } from './hash-chain.ts';

export interface RepeatOptions {
  /** Details that do not make two denials different; the summary keeps the last values seen. */
  vary?: readonly string[];
}

export interface RepeatedDenials {
  /**
   * Counts a denial. The first of its window resolves once written; the others at once. Never
   * rejects: a failed write is logged and its denial counted into the window's summary instead.
   */
  record(entry: AuditEntry, options?: RepeatOptions): Promise<void>;
  /** Writes the summaries of the windows that have ended, or of every window with `all`. */
  flush(options?: { all?: boolean }): Promise<void>;
  /** Windows open now. */
  readonly pending: number;
}

export interface RepeatedDenialsOptions {
  write: (entry: AuditEntry) => Promise<void>;
  windowMs: number;
  logger: Logger;
  /** Windows kept open at once; past this the oldest is summarized early (more rows, nothing lost). */
  maxPending?: number;
  now?: () => number;
}

interface Window {
  entry: AuditEntry;
  endsAt: number;
  /** Denials after the first, not written yet. */
  repeats: number;
  firstRepeatAt: number;
  lastRepeatAt: number;
  varying: Record<string, unknown>;
  closed: boolean;
}

function identityOf(entry: AuditEntry, vary: readonly string[]): string {
  const details = Object.fromEntries(Object.entries(entry.details ?? {}).filter(([name]) => !vary.includes(name)));
  const { actor, target } = entry;
  return canonicalJson([
    entry.action,
    entry.outcome,
    actor?.type ?? 'system',
    actor?.id ?? null,
    actor?.label ?? null,
    entry.organizationId ?? null,
    target?.type ?? null,
    target?.id ?? null,
    entry.ip === undefined ? null : bucketAddress(entry.ip),
    JSON.parse(JSON.stringify(details)) as JsonValue,
  ]);
}

export function createRepeatedDenials({ write, windowMs, logger, maxPending = 10_000, now = Date.now }: RepeatedDenialsOptions): RepeatedDenials {
  const windows = new Map<string, Window>();
  const writing = new Set<Promise<void>>();

  function track(promise: Promise<void>): Promise<void> {
    writing.add(promise);
    void promise.finally(() => writing.delete(promise));
    return promise;
  }

  function summarize(window: Window): Promise<void> {
    if (window.repeats === 0) return Promise.resolve();
    const { entry } = window;
    const summary: AuditEntry = {
      ...entry,
      // Many requests: no single one's id or user agent describes them.
      requestId: undefined,
      userAgent: undefined,
      details: {
        ...entry.details,
        ...window.varying,
        count: window.repeats,
        firstAt: new Date(window.firstRepeatAt).toISOString(),
        lastAt: new Date(window.lastRepeatAt).toISOString(),
      },
    };
    return track(
      write(summary).catch((error: unknown) => {
        // Logged with its count, so an operator still learns how many denials the record stood for.
        logger.error({ err: error, action: entry.action, count: window.repeats }, 'could not write the summary of repeated denials');
      }),
    );
  }

  function close(key: string, window: Window): Promise<void> {
    windows.delete(key);
    window.closed = true;
    return summarize(window);
  }

  return {
    get pending() {
      return windows.size;
    },

    record(entry, { vary = [] } = {}) {
      const key = identityOf(entry, vary);
      const at = now();
      const open = windows.get(key);
      if (open && at < open.endsAt) {
        if (open.repeats === 0) open.firstRepeatAt = at;
        open.repeats++;
        open.lastRepeatAt = at;
        open.varying = Object.fromEntries(vary.filter((name) => entry.details?.[name] !== undefined).map((name) => [name, entry.details![name]]));
        return Promise.resolve();
      }
      if (open) void close(key, open);
      const oldest = windows.size >= maxPending ? windows.entries().next().value : undefined;
      if (oldest) void close(...oldest);
      const window: Window = { entry, endsAt: at + windowMs, repeats: 0, firstRepeatAt: at, lastRepeatAt: at, varying: {}, closed: false };
      windows.set(key, window);
      return track(
        write({ ...entry, details: { ...entry.details, count: 1 } }).catch((error: unknown) => {
          logger.error({ err: error, action: entry.action }, 'could not write the audit record of a denial; it is counted in the summary of its window');
          if (window.closed) return summarize({ ...window, repeats: 1, firstRepeatAt: at, lastRepeatAt: at, varying: {} });
          // It came before every repeat counted so far.
          window.firstRepeatAt = at;
          window.repeats++;
        }),
      );
    },

    async flush({ all = false } = {}) {
      const at = now();
      for (const [key, window] of windows) {
        if (all || at >= window.endsAt) void close(key, window);
      }
      // A failed first write adds its summary while we wait: wait until nothing is left.
      while (writing.size > 0) await Promise.all(writing);
    },
  };
}

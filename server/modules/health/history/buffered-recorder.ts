/**
 * The monitor's HealthRecorder over the database: rows are buffered in memory and written in
 * multi-row INSERTs every `flushIntervalMs` or as soon as `batchSize` rows wait, so a check run
 * never waits on (or fails because of) the history write.
 *
 * While the database is unreachable the rows stay buffered and are retried; the buffer is bounded,
 * and when it overflows the oldest samples are shed first and the loss is logged — events, the
 * record of what changed, go last. A row the database rejects as invalid is dropped alone (and
 * logged) instead of blocking every row queued behind it.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { HealthEventRecord, HealthRecorder, SampleRecord } from '../health-recorder.ts';

export interface HistoryWriter {
  insertSamples(batch: readonly SampleRecord[]): Promise<void>;
  insertEvents(batch: readonly HealthEventRecord[]): Promise<void>;
}

export interface BufferedRecorderOptions {
  writer: HistoryWriter;
  logger: Logger;
  flushIntervalMs?: number;
  /** Rows per INSERT, and the backlog that triggers a write before the interval ends. */
  batchSize?: number;
  /** Rows kept in memory while writes fail; beyond it the oldest samples are dropped. */
  maxBufferedRows?: number;
  /** While writes keep failing, log at most this often (a down database would flood the log). */
  failureLogIntervalMs?: number;
}

export interface BufferedRecorder extends HealthRecorder {
  /** Writes everything buffered; resolves (never rejects) when done or when a write failed. */
  flush(): Promise<void>;
  /** Rows waiting to be written. */
  pending(): number;
  /** Stops the timer and makes a last attempt to write what is buffered. */
  close(): Promise<void>;
}

// SQLSTATE classes 22 (data exception) and 23 (integrity violation): retrying the same row fails
// the same way, unlike a connection or availability error.
function isRejectedRow(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export function createBufferedRecorder({
  writer,
  logger,
  flushIntervalMs = 1_000,
  batchSize = 500,
  maxBufferedRows = 50_000,
  failureLogIntervalMs = 60_000,
}: BufferedRecorderOptions): BufferedRecorder {
  const samples: SampleRecord[] = [];
  const events: HealthEventRecord[] = [];
  let flushing: Promise<void> | undefined;
  let failing = false;
  let lastFailureLogAt = -Infinity;
  let dropped = 0;
  let closed = false;

  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref();

  const pending = () => samples.length + events.length;

  function enforceBound(): void {
    const excess = pending() - maxBufferedRows;
    if (excess <= 0) return;
    // Shed a tenth of the bound at once so a full buffer does not pay an O(n) shift per row.
    const fromSamples = Math.min(samples.length, excess + Math.ceil(maxBufferedRows / 10));
    samples.splice(0, fromSamples);
    const fromEvents = Math.max(0, pending() - maxBufferedRows);
    events.splice(0, fromEvents);
    dropped += fromSamples + fromEvents;
  }

  function enqueue<T>(queue: T[], row: T): void {
    if (closed) {
      logger.warn({ component: (row as { component?: string }).component }, 'health history recorder is closed; row not stored');
      return;
    }
    queue.push(row);
    enforceBound();
    // While writes fail, only the timer retries: a backlog must not turn into a tight retry loop.
    if (!failing && pending() >= batchSize) void flush();
  }

  function noteFailure(error: unknown): void {
    failing = true;
    const now = Date.now();
    if (now - lastFailureLogAt < failureLogIntervalMs) return;
    lastFailureLogAt = now;
    logger.error({ err: error, buffered: pending(), dropped }, 'writing health history failed; rows are kept and retried');
  }

  function noteSuccess(): void {
    if (!failing) return;
    failing = false;
    lastFailureLogAt = -Infinity;
    logger.info({ buffered: pending(), dropped }, 'writing health history works again');
  }

  function reportDropped(): void {
    if (dropped === 0) return;
    logger.warn({ dropped, maxBufferedRows }, 'health history buffer overflowed while the database was unavailable; the oldest samples were dropped');
    dropped = 0;
  }

  /** Writes one batch from the front of `queue`; false when the database could not be reached. */
  async function writeBatch<T extends SampleRecord | HealthEventRecord>(queue: T[], insert: (batch: readonly T[]) => Promise<void>): Promise<boolean> {
    if (queue.length === 0) return true;
    const batch = queue.splice(0, batchSize);
    try {
      await insert(batch);
      return true;
    } catch (error) {
      if (!isRejectedRow(error)) {
        queue.unshift(...batch);
        noteFailure(error);
        enforceBound();
        return false;
      }
    }
    // Some row is invalid: write them one by one and drop only the rejected ones.
    for (let index = 0; index < batch.length; index++) {
      const row = batch[index]!;
      try {
        await insert([row]);
      } catch (error) {
        if (!isRejectedRow(error)) {
          queue.unshift(...batch.slice(index));
          noteFailure(error);
          enforceBound();
          return false;
        }
        logger.error({ err: error, component: row.component }, 'the database rejected a health history row; it is dropped');
      }
    }
    return true;
  }

  async function drain(): Promise<void> {
    while (pending() > 0) {
      const written = (await writeBatch(events, (b) => writer.insertEvents(b))) && (await writeBatch(samples, (b) => writer.insertSamples(b)));
      if (!written) return;
      noteSuccess();
      reportDropped();
    }
  }

  function flush(): Promise<void> {
    flushing ??= drain()
      .catch((error: unknown) => logger.error({ err: error }, 'health history flush failed unexpectedly'))
      .finally(() => {
        flushing = undefined;
      });
    return flushing;
  }

  return {
    recordSample(sample) {
      try {
        enqueue(samples, sample);
      } catch (error) {
        logger.error({ err: error }, 'buffering a health sample failed');
      }
    },
    recordEvent(event) {
      try {
        enqueue(events, event);
      } catch (error) {
        logger.error({ err: error }, 'buffering a health event failed');
      }
    },
    flush,
    pending,
    async close() {
      clearInterval(timer);
      await flushing;
      // The final attempt ignores the failure back-off: there is no later one.
      lastFailureLogAt = -Infinity;
      await flush();
      closed = true;
      reportDropped();
      if (pending() > 0) logger.error({ lost: pending() }, 'health history rows could not be written before shutdown');
    },
  };
}

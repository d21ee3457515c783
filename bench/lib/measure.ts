/**
 * A measured window: the load plus what it cost the server process (CPU per request, RSS) and,
 * optionally, the database transactions it caused per request.
 */
import { runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { sampleProcess } from './proc-stats.ts';

export interface WindowResult extends LoadResult {
  label: string;
  server: { cpuMicrosPerRequest: number; rssBytes: number };
  queriesPerRequest?: number;
}

export interface MeasureOptions extends LoadOptions {
  label: string;
  pid: number;
  /** Counts the database's transactions; read before and `settleMs` after the window. */
  transactions?: () => Promise<number>;
  /**
   * PostgreSQL publishes a busy backend's counters at most once a second, and the last second's
   * only after 10 s idle: the wait after the window before reading them again.
   */
  settleMs?: number;
}

export async function measure({ label, pid, transactions, settleMs = 0, ...load }: MeasureOptions): Promise<WindowResult> {
  const transactionsBefore = transactions ? await transactions() : 0;
  const before = sampleProcess(pid);
  const result = await runLoad(load);
  const after = sampleProcess(pid);
  let queriesPerRequest: number | undefined;
  if (transactions) {
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    queriesPerRequest = result.requests ? ((await transactions()) - transactionsBefore) / result.requests : 0;
  }
  return {
    label,
    ...result,
    server: { cpuMicrosPerRequest: result.requests ? (after.cpuMicros - before.cpuMicros) / result.requests : 0, rssBytes: after.rssBytes },
    ...(queriesPerRequest === undefined ? {} : { queriesPerRequest }),
  };
}

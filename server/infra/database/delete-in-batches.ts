/**
 * Runs a bounded DELETE (one that removes at most `batchSize` rows) until it removes fewer: a
 * backlog becomes many short transactions rather than one long lock. Resolves the total deleted.
 */
export async function deleteInBatches(run: () => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await run();
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

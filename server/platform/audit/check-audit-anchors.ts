/**
 * Holds the chain against its anchors: every record an anchor names must still be in the log with
 * the anchored hash. Anchors are read before the chain is walked, so whatever they name was
 * committed before the walk began and must be in it.
 */
import type { AuditAnchor, AuditAnchorSource, AuditAnchorStore } from './audit-anchor.ts';
import type { AuditChainProblem } from './verify-audit-chain.ts';

/**
 * absent       no anchor written yet (a fresh install): not a failure;
 * unavailable  the store could not be read, or holds no anchor: reported, not a failure — whoever
 *              can break the store can as well delete the anchor, which reads as absent;
 * consistent   the anchored record is in the log with the anchored hash;
 * violated     it is not: records were cut from the end, or the log was rewritten.
 */
export type AuditAnchorStatus = 'absent' | 'unavailable' | 'consistent' | 'violated';

export interface AuditAnchorCheck {
  source: AuditAnchorSource;
  location: string;
  status: AuditAnchorStatus;
  anchor: AuditAnchor | null;
  detail: string;
}

export interface ReadAnchor {
  store: AuditAnchorStore;
  anchor?: AuditAnchor;
  error?: string;
}

export function readAnchors(stores: AuditAnchorStore[]): Promise<ReadAnchor[]> {
  return Promise.all(
    stores.map(async (store) => {
      try {
        return { store, anchor: await store.read() };
      } catch (error) {
        return { store, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

export function checkAnchors(
  read: ReadAnchor[],
  chain: { lastSeq: number; hashes: ReadonlyMap<number, string> },
): { checks: AuditAnchorCheck[]; problems: AuditChainProblem[] } {
  const checks: AuditAnchorCheck[] = [];
  const problems: AuditChainProblem[] = [];
  for (const { store, anchor, error } of read) {
    const { source, location } = store;
    if (error !== undefined) {
      checks.push({ source, location, status: 'unavailable', anchor: null, detail: `could not read the ${source} anchor: ${error}` });
      continue;
    }
    if (!anchor) {
      checks.push({ source, location, status: 'absent', anchor: null, detail: `no ${source} anchor has been written yet` });
      continue;
    }
    const written = `the ${source} anchor written at ${anchor.at}`;
    const stored = chain.hashes.get(anchor.seq);
    if (chain.lastSeq < anchor.seq) {
      const detail =
        chain.lastSeq === 0
          ? `every record is missing: the log is empty (${written} names seq ${anchor.seq})`
          : `records after seq ${chain.lastSeq} are missing (${written} names seq ${anchor.seq})`;
      problems.push({ kind: 'truncated', seq: chain.lastSeq + 1, ...(anchor.seq > chain.lastSeq + 1 ? { lastSeq: anchor.seq } : {}), detail });
      checks.push({ source, location, status: 'violated', anchor, detail });
    } else if (stored === undefined) {
      // A gap: the walk already reports the removal; the anchor confirms it.
      checks.push({ source, location, status: 'violated', anchor, detail: `record seq ${anchor.seq}, which ${written} names, is missing` });
    } else if (stored !== anchor.hash) {
      const detail = `record seq ${anchor.seq} differs from the anchored hash (${written} holds ${short(anchor.hash)}, the log ${short(stored)})`;
      problems.push({ kind: 'rewritten', seq: anchor.seq, detail });
      checks.push({ source, location, status: 'violated', anchor, detail });
    } else {
      checks.push({ source, location, status: 'consistent', anchor, detail: `record seq ${anchor.seq} has the hash ${written} holds` });
    }
  }
  return { checks, problems };
}

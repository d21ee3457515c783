/**
 * Walks the audit log in seq order and reports every place the hash chain breaks, and how:
 *   altered    the record's content no longer hashes to its stored hash;
 *   removed    a seq number is missing, or the record's predecessor is nowhere in the log;
 *   reordered  the record's predecessor is in the log, but somewhere else.
 * A chain cannot reveal records cut from its end, or a tail rewritten wholesale with fresh
 * hashes; anchors kept outside the database (`audit-anchor.ts`) catch those:
 *   truncated  records the anchor names are beyond the end of the log;
 *   rewritten  the record the anchor names has another hash.
 */
import type { AuditAnchorStore } from './audit-anchor.ts';
import type { AuditRepository } from './audit-repository.ts';
import { checkAnchors, readAnchors, type AuditAnchorCheck } from './check-audit-anchors.ts';
import { GENESIS_HASH, hashRecord } from './hash-chain.ts';

export type { AuditAnchorCheck, AuditAnchorStatus } from './check-audit-anchors.ts';

export type AuditChainProblemKind = 'altered' | 'removed' | 'reordered' | 'truncated' | 'rewritten';

export interface AuditChainProblem {
  kind: AuditChainProblemKind;
  /** The first seq concerned. */
  seq: number;
  /** The last seq concerned, when the problem spans several. */
  lastSeq?: number;
  detail: string;
}

export interface AuditChainReport {
  intact: boolean;
  records: number;
  /** The newest record: the value to anchor elsewhere. */
  head: { seq: number; hash: string } | null;
  /** All problems found; `problems` holds the first `maxProblems` of them, in seq order. */
  problemCount: number;
  problems: AuditChainProblem[];
  /** One check per anchor store given (none: anchors were not consulted). */
  anchors: AuditAnchorCheck[];
}

/** A record whose `prev_hash` is not the hash of the record stored before it. */
interface BrokenLink {
  seq: number;
  prevSeq: number | undefined;
  linksTo: string;
}

function span(first: number, last: number): Pick<AuditChainProblem, 'seq' | 'lastSeq'> {
  return last > first ? { seq: first, lastSeq: last } : { seq: first };
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

export async function verifyAuditChain({
  repository,
  anchors: stores = [],
  maxProblems = 1000,
}: {
  repository: AuditRepository;
  /** Where anchors are kept; each is read before the walk begins. */
  anchors?: AuditAnchorStore[];
  maxProblems?: number;
}): Promise<AuditChainReport> {
  const anchors = await readAnchors(stores);
  const anchoredSeqs = new Set(anchors.flatMap(({ anchor }) => (anchor ? [anchor.seq] : [])));
  const anchoredHashes = new Map<number, string>();
  const problems: AuditChainProblem[] = [];
  const broken: BrokenLink[] = [];
  let previous: { seq: number; hash: string } | undefined;
  let records = 0;

  for await (const record of repository.stream({}, { order: 'asc', batchSize: 1000 })) {
    records++;
    if (anchoredSeqs.has(record.seq)) anchoredHashes.set(record.seq, record.hash);
    if (hashRecord(record, record.prevHash) !== record.hash) {
      problems.push({ kind: 'altered', seq: record.seq, detail: `record ${record.seq} was altered: its content does not match its hash` });
    }
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (record.seq > expectedSeq) {
      // The missing records also explain a broken link here; one problem says it.
      const missing = span(expectedSeq, record.seq - 1);
      const what = missing.lastSeq ? `records ${expectedSeq}–${record.seq - 1} were` : `record ${expectedSeq} was`;
      problems.push({ kind: 'removed', ...missing, detail: `${what} removed` });
    } else if (record.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
      broken.push({ seq: record.seq, prevSeq: previous?.seq, linksTo: record.prevHash });
    }
    previous = { seq: record.seq, hash: record.hash };
  }

  problems.push(...(await classifyBrokenLinks(repository, broken)));
  const anchored = checkAnchors(anchors, { lastSeq: previous?.seq ?? 0, hashes: anchoredHashes });
  problems.push(...anchored.problems);
  problems.sort((a, b) => a.seq - b.seq);
  return {
    intact: problems.length === 0 && anchored.checks.every((check) => check.status !== 'violated'),
    records,
    head: previous ?? null,
    problemCount: problems.length,
    problems: problems.slice(0, maxProblems),
    anchors: anchored.checks,
  };
}

/**
 * A broken link's record follows, in the chain, the record whose hash it carries. If that record
 * is stored later, this one was moved ahead of it; if earlier, the records stored in between do
 * not belong there; if it is nowhere, it was removed (or rewritten together with its hash).
 */
async function classifyBrokenLinks(repository: AuditRepository, broken: BrokenLink[]): Promise<AuditChainProblem[]> {
  if (broken.length === 0) return [];
  const located = await repository.seqsOfHashes([...new Set(broken.map((b) => b.linksTo).filter((h) => h !== GENESIS_HASH))]);
  const problems: AuditChainProblem[] = [];
  const movedAhead = new Set<number>();
  let displacedUpTo = 0;

  for (const { seq, prevSeq, linksTo } of broken) {
    const predecessor = linksTo === GENESIS_HASH ? 0 : located.get(linksTo);
    if (predecessor === undefined) {
      problems.push({
        kind: 'removed',
        seq,
        detail: `the record before ${seq} is missing: its predecessor (hash ${short(linksTo)}) is not in the log; a record was removed, or record ${prevSeq ?? '(none)'} was rewritten with a new hash`,
      });
    } else if (predecessor > seq) {
      movedAhead.add(seq);
      problems.push({ kind: 'reordered', seq, detail: `record ${seq} was recorded after record ${predecessor} but is stored before it` });
    } else {
      let first = Math.max(predecessor + 1, displacedUpTo + 1);
      let last = seq - 1;
      while (first <= last && movedAhead.has(first)) first++;
      while (last >= first && movedAhead.has(last)) last--;
      if (first <= last) {
        const what = last > first ? `records ${first}–${last} are` : `record ${first} is`;
        problems.push({
          kind: 'reordered',
          ...span(first, last),
          detail: `${what} out of place: record ${seq} was recorded right after record ${predecessor}`,
        });
        displacedUpTo = last;
      }
    }
  }
  return problems;
}

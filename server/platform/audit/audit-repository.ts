/**
 * Data access for the audit log: the chained append, filtered pages and streams for the query
 * API, and the ordered walk that verification reads.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../infra/database/index.ts';
import type { AuditActor, AuditOutcome } from './audit-log.ts';
import { GENESIS_HASH, canonicalJson, formatMicros, hashRecord, type ChainedFields, type JsonValue } from './hash-chain.ts';

/** A record as stored: its chained fields, its position and its hashes. */
export interface StoredAuditRecord extends ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditFilters {
  /** An exact action, or a prefix ending in `.*` (`auth.*`). */
  action?: string;
  actorType?: AuditActor['type'];
  actorId?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  /** Only these organizations' records (undefined: every record, system events included). */
  organizationId?: string;
  /** Inclusive; an ISO 8601 date-time with offset. */
  from?: string;
  /** Exclusive; an ISO 8601 date-time with offset. */
  to?: string;
}

export interface AuditPageOptions {
  limit: number;
  order: 'asc' | 'desc';
  /** Continue after this seq (the last one of the previous page). */
  afterSeq?: number;
}

export interface AuditRepository {
  append(fields: Omit<ChainedFields, 'occurredAt'>, options?: { trx?: Transaction<Database> }): Promise<StoredAuditRecord>;
  page(filters: AuditFilters, options: AuditPageOptions): Promise<StoredAuditRecord[]>;
  /** Every matching record in seq order, read in batches (no connection held between them). */
  stream(filters: AuditFilters, options?: { order?: 'asc' | 'desc'; batchSize?: number }): AsyncGenerator<StoredAuditRecord>;
  /** Where records with these hashes sit: hash → seq. */
  seqsOfHashes(hashes: string[]): Promise<Map<string, number>>;
  /** The newest committed record's seq and hash; undefined while the log is empty. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  /** The stored hash of the record numbered `seq`, if there is one. */
  hashAt(seq: number): Promise<string | undefined>;
}

export interface AuditRepositoryOptions {
  db: Kysely<Database>;
  /** Microseconds since the epoch; injectable so tests can pin sub-millisecond times. */
  clock?: () => bigint;
}

// Appends from every request and every instance queue on this one lock, so each reads the true
// last record and the chain stays linear. Transaction-scoped: it is released when the caller's
// transaction commits or rolls back, never leaked by an error path — and held until then, which
// is why a caller should record as the last step of its transaction.
const APPEND_LOCK = sql`pg_advisory_xact_lock(hashtextextended('watchkeeper:audit-log', 0))`;
const OCCURRED_AT_TEXT = sql<string>`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const systemClock = () => BigInt(Date.now()) * 1000n;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function createAuditRepository({ db, clock = systemClock }: AuditRepositoryOptions): AuditRepository {
  function selectRecords(source: Kysely<Database>) {
    return source
      .selectFrom('audit_log')
      .select([
        'seq',
        OCCURRED_AT_TEXT.as('occurred_at_text'),
        'organization_id',
        'actor_type',
        'actor_id',
        'actor_label',
        'action',
        'target_type',
        'target_id',
        'target_label',
        'outcome',
        'ip',
        'user_agent',
        'request_id',
        'details',
        'prev_hash',
        'hash',
      ]);
  }
  type Row = Awaited<ReturnType<ReturnType<typeof selectRecords>['execute']>>[number];

  function toRecord(row: Row): StoredAuditRecord {
    return {
      seq: Number(row.seq),
      occurredAt: row.occurred_at_text,
      organizationId: row.organization_id,
      actorType: row.actor_type,
      actorId: row.actor_id,
      actorLabel: row.actor_label,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      targetLabel: row.target_label,
      outcome: row.outcome,
      ip: row.ip,
      userAgent: row.user_agent,
      requestId: row.request_id,
      details: row.details as { [key: string]: JsonValue },
      prevHash: row.prev_hash,
      hash: row.hash,
    };
  }

  function filtered(filters: AuditFilters) {
    let query = selectRecords(db);
    if (filters.action?.endsWith('.*')) query = query.where('action', 'like', `${escapeLike(filters.action.slice(0, -1))}%`);
    else if (filters.action) query = query.where('action', '=', filters.action);
    if (filters.actorType) query = query.where('actor_type', '=', filters.actorType);
    if (filters.actorId) query = query.where('actor_id', '=', filters.actorId);
    if (filters.targetType) query = query.where('target_type', '=', filters.targetType);
    if (filters.targetId) query = query.where('target_id', '=', filters.targetId);
    if (filters.outcome) query = query.where('outcome', '=', filters.outcome);
    if (filters.organizationId) query = query.where('organization_id', '=', filters.organizationId);
    if (filters.from) query = query.where('occurred_at', '>=', sql<Date>`${filters.from}::timestamptz`);
    if (filters.to) query = query.where('occurred_at', '<', sql<Date>`${filters.to}::timestamptz`);
    return query;
  }

  async function page(filters: AuditFilters, { limit, order, afterSeq }: AuditPageOptions): Promise<StoredAuditRecord[]> {
    let query = filtered(filters);
    if (afterSeq !== undefined) query = query.where('seq', order === 'asc' ? '>' : '<', String(afterSeq));
    const rows = await query.orderBy('seq', order).limit(limit).execute();
    return rows.map(toRecord);
  }

  async function appendIn(trx: Transaction<Database>, fields: Omit<ChainedFields, 'occurredAt'>): Promise<StoredAuditRecord> {
    await sql`SELECT ${APPEND_LOCK}`.execute(trx);
    // Read under the lock. This needs READ COMMITTED (the default): an older snapshot would miss
    // the last record, and the seq primary key would then refuse the insert rather than fork.
    const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const seq = last ? Number(last.seq) + 1 : 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    // Taken under the lock too, so times rise along the chain (on one clock).
    const chained: ChainedFields = { ...fields, occurredAt: formatMicros(clock()) };
    const hash = hashRecord(chained, prevHash);
    await trx
      .insertInto('audit_log')
      .values({
        seq: String(seq),
        occurred_at: chained.occurredAt,
        organization_id: chained.organizationId,
        actor_type: chained.actorType,
        actor_id: chained.actorId,
        actor_label: chained.actorLabel,
        action: chained.action,
        target_type: chained.targetType,
        target_id: chained.targetId,
        target_label: chained.targetLabel,
        outcome: chained.outcome,
        ip: chained.ip,
        user_agent: chained.userAgent,
        request_id: chained.requestId,
        details: canonicalJson(chained.details),
        prev_hash: prevHash,
        hash,
      })
      .execute();
    return { ...chained, seq, prevHash, hash };
  }

  return {
    append(fields, { trx } = {}) {
      return trx ? appendIn(trx, fields) : db.transaction().execute((own) => appendIn(own, fields));
    },

    page,

    async *stream(filters, { order = 'asc', batchSize = 500 } = {}) {
      let afterSeq: number | undefined;
      for (;;) {
        const batch = await page(filters, { limit: batchSize, order, afterSeq });
        yield* batch;
        if (batch.length < batchSize) return;
        afterSeq = batch.at(-1)!.seq;
      }
    },

    async seqsOfHashes(hashes) {
      const found = new Map<string, number>();
      for (let i = 0; i < hashes.length; i += 1000) {
        const rows = await db
          .selectFrom('audit_log')
          .select(['hash', 'seq'])
          .where('hash', 'in', hashes.slice(i, i + 1000))
          .orderBy('seq')
          .execute();
        for (const row of rows) if (!found.has(row.hash)) found.set(row.hash, Number(row.seq));
      }
      return found;
    },

    async head() {
      const row = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
    },

    async hashAt(seq) {
      const row = await db.selectFrom('audit_log').select('hash').where('seq', '=', String(seq)).executeTakeFirst();
      return row?.hash;
    },
  };
}

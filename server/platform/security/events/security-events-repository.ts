/**
 * Data access for security events and the addresses seen per API key. An event is one row per
 * (organization, kind, subject, window): a detection inside an open window updates that row's
 * count and last_seen instead of inserting another.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../infra/database/index.ts';
import type { SecuritySeverity } from '../../events/event-bus.ts';

export interface SecurityEventRecord {
  id: string;
  organizationId: string;
  kind: string;
  severity: SecuritySeverity;
  subject: string;
  count: number;
  windowSeconds: number;
  windowStart: Date;
  firstSeen: Date;
  lastSeen: Date;
  details: Record<string, unknown>;
}

export interface SecurityEventInput {
  organizationId: string;
  kind: string;
  severity: SecuritySeverity;
  subject: string;
  count: number;
  windowMs: number;
  at: Date;
  details: Record<string, unknown>;
}

export interface SecurityEventFilters {
  /** Only this organization's events (undefined: every organization's). */
  organizationId?: string;
  kind?: string;
  severity?: SecuritySeverity;
  /** Events still seen at or after this instant. */
  from?: string;
  /** Events first seen before this instant. */
  to?: string;
}

export interface SecurityEventsRepository {
  /** Opens the event for this window, or updates the open one; `opened` says which. */
  record(input: SecurityEventInput): Promise<{ event: SecurityEventRecord; opened: boolean }>;
  page(filters: SecurityEventFilters, options: { limit: number; beforeId?: string }): Promise<SecurityEventRecord[]>;
  /**
   * How many events of an organization were seen in [from, to) (last_seen in it), of these kinds
   * (none: every kind) and severities, by kind and severity: what an alert rule counts.
   */
  countSeen(filters: {
    organizationId: string;
    kinds: readonly string[];
    severities: readonly SecuritySeverity[];
    from: Date;
    to: Date;
  }): Promise<{ kind: string; severity: SecuritySeverity; count: number }[]>;
  /**
   * Remembers that the key was used from `ip` (bumping last_seen when it is older than
   * API_KEY_IP_TOUCH_INTERVAL_MINUTES); returns whether that address is new and how many others the key had.
   */
  rememberApiKeyIp(input: { apiKeyId: string; ip: string; organizationId: string }): Promise<{ isNew: boolean; knownIps: number }>;
}

/** How stale an address's last_seen may get before a use bumps it: one write per key, address and interval. */
export const API_KEY_IP_TOUCH_INTERVAL_MINUTES = 5;

export function createSecurityEventsRepository({ db }: { db: Kysely<Database> }): SecurityEventsRepository {
  function toRecord(row: {
    id: string;
    organization_id: string;
    kind: string;
    severity: SecuritySeverity;
    subject: string;
    count: number;
    window_seconds: number;
    window_start: Date;
    first_seen: Date;
    last_seen: Date;
    details: unknown;
  }): SecurityEventRecord {
    return {
      id: String(row.id),
      organizationId: row.organization_id,
      kind: row.kind,
      severity: row.severity,
      subject: row.subject,
      count: row.count,
      windowSeconds: row.window_seconds,
      windowStart: row.window_start,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      details: (row.details ?? {}) as Record<string, unknown>,
    };
  }

  return {
    async record({ organizationId, kind, severity, subject, count, windowMs, at, details }) {
      // Fixed windows aligned to the epoch make "the open event" a unique key the upsert can use.
      const windowStart = new Date(Math.floor(at.getTime() / windowMs) * windowMs);
      const row = await db
        .insertInto('security_events')
        .values({
          organization_id: organizationId,
          kind,
          severity,
          subject,
          count,
          window_seconds: Math.max(1, Math.round(windowMs / 1000)),
          window_start: windowStart,
          first_seen: at,
          last_seen: at,
          details: JSON.stringify(details),
        })
        .onConflict((oc) =>
          oc.columns(['organization_id', 'kind', 'subject', 'window_start']).doUpdateSet({
            count: sql<number>`GREATEST(security_events.count, excluded.count)`,
            last_seen: sql<Date>`GREATEST(security_events.last_seen, excluded.last_seen)`,
            severity: sql<SecuritySeverity>`excluded.severity`,
            details: sql`excluded.details`,
          }),
        )
        .returningAll()
        // xmax is 0 for a freshly inserted row and set for one the conflict clause updated.
        .returning(sql<boolean>`(xmax = 0)`.as('opened'))
        .executeTakeFirstOrThrow();
      return { event: toRecord(row), opened: row.opened };
    },

    async page({ organizationId, kind, severity, from, to }, { limit, beforeId }) {
      let query = db.selectFrom('security_events').selectAll();
      if (organizationId) query = query.where('organization_id', '=', organizationId);
      if (kind) query = query.where('kind', '=', kind);
      if (severity) query = query.where('severity', '=', severity);
      if (from) query = query.where('last_seen', '>=', sql<Date>`${from}::timestamptz`);
      if (to) query = query.where('first_seen', '<', sql<Date>`${to}::timestamptz`);
      if (beforeId) query = query.where('id', '<', beforeId);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toRecord);
    },

    async countSeen({ organizationId, kinds, severities, from, to }) {
      if (severities.length === 0) return [];
      let query = db
        .selectFrom('security_events')
        .select(['kind', 'severity', (eb) => eb.fn.countAll<string>().as('count')])
        .where('organization_id', '=', organizationId)
        .where('severity', 'in', [...severities])
        .where('last_seen', '>=', from)
        .where('last_seen', '<', to);
      if (kinds.length > 0) query = query.where('kind', 'in', [...kinds]);
      const rows = await query.groupBy(['kind', 'severity']).orderBy('kind').orderBy('severity').execute();
      return rows.map((row) => ({ kind: row.kind, severity: row.severity, count: Number(row.count) }));
    },

    async rememberApiKeyIp({ apiKeyId, ip, organizationId }) {
      // A known address only writes when its last_seen is stale, so a busy key costs one UPDATE
      // per address every few minutes; retention relies on last_seen to keep addresses in use.
      const row = await db
        .insertInto('security_api_key_ips')
        .values({ api_key_id: apiKeyId, ip, organization_id: organizationId })
        .onConflict((oc) =>
          oc
            .columns(['api_key_id', 'ip'])
            .doUpdateSet({ last_seen: sql<Date>`now()` })
            .where('security_api_key_ips.last_seen', '<', sql<Date>`now() - make_interval(mins => ${API_KEY_IP_TOUCH_INTERVAL_MINUTES})`),
        )
        // xmax is 0 for a freshly inserted row and set for one the conflict clause updated.
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirst();
      const inserted = row?.inserted === true;
      if (!inserted) return { isNew: false, knownIps: 0 };
      const { others } = await db
        .selectFrom('security_api_key_ips')
        .select((eb) => eb.fn.countAll<string>().as('others'))
        .where('api_key_id', '=', apiKeyId)
        .where('ip', '<>', ip)
        .executeTakeFirstOrThrow();
      return { isNew: true, knownIps: Number(others) };
    },
  };
}

/**
 * The alerts of each project, keyed by their label set's fingerprint, with Alertmanager's rules
 * for receiving them: an alert without `endsAt` fires until `resolveTimeout` after it was last
 * received (Prometheus re-sends firing alerts each evaluation); one received again while it fires
 * keeps its first `startsAt`; one received after it resolved starts anew. Each change between
 * firing and resolved is recorded in `alert_transitions` in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { PostableAlert } from '../../../contracts/alertmanager.ts';
import type { Database } from '../../infra/database/schema.ts';
import { labelsFingerprint } from './routing/fingerprint.ts';

export interface StoredAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date;
  updatedAt: Date;
  generatorURL: string;
  origin: 'api' | 'rule';
}

export type AlertState = 'firing' | 'resolved';

export interface AlertTransition {
  fingerprint: string;
  from: AlertState | 'inactive';
  to: AlertState;
  at: Date;
}

/** Alertmanager's `resolve_timeout` default. */
export const DEFAULT_RESOLVE_TIMEOUT_MS = 5 * 60_000;

const stateAt = (endsAt: Date, now: Date): AlertState => (endsAt.getTime() > now.getTime() ? 'firing' : 'resolved');

/** Go clients (amtool) send a time they leave unset as Go's zero time, year 1: it means "not given". */
const isSet = (time: string | undefined): time is string => time !== undefined && Date.parse(time) > 0;

/** Labels with empty values are dropped, as Alertmanager does: `a=""` is the same as no `a`. */
function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ''));
}

export function createAlertsRepository(db: Kysely<Database>, { resolveTimeoutMs = DEFAULT_RESOLVE_TIMEOUT_MS } = {}) {
  const toAlert = (row: {
    fingerprint: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    starts_at: Date;
    ends_at: Date;
    updated_at: Date;
    generator_url: string;
    origin: 'api' | 'rule';
  }): StoredAlert => ({
    fingerprint: row.fingerprint,
    labels: row.labels,
    annotations: row.annotations,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    updatedAt: row.updated_at,
    generatorURL: row.generator_url,
    origin: row.origin,
  });

  return {
    /**
     * Stores a batch in one transaction; answers the transitions it caused. The same label set
     * twice in one batch counts once (the last wins), as it would arriving in two requests.
     */
    async receive(
      projectId: string,
      posted: readonly PostableAlert[],
      { now = new Date(), origin = 'api' as 'api' | 'rule' } = {},
    ): Promise<AlertTransition[]> {
      const incoming = new Map<
        string,
        { labels: Record<string, string>; annotations: Record<string, string>; startsAt: Date; endsAt: Date; generatorURL: string }
      >();
      for (const alert of posted) {
        const labels = withoutEmpty(alert.labels);
        const startsAt = isSet(alert.startsAt) ? new Date(alert.startsAt) : now;
        const endsAt = isSet(alert.endsAt) ? new Date(alert.endsAt) : new Date(Math.max(now.getTime(), startsAt.getTime()) + resolveTimeoutMs);
        incoming.set(labelsFingerprint(labels), { labels, annotations: alert.annotations ?? {}, startsAt, endsAt, generatorURL: alert.generatorURL ?? '' });
      }
      if (incoming.size === 0) return [];
      return db.transaction().execute(async (trx) => {
        const existing = new Map(
          (
            await trx
              .selectFrom('alerts')
              .select(['fingerprint', 'starts_at', 'ends_at'])
              .where('project_id', '=', projectId)
              .where('fingerprint', 'in', [...incoming.keys()])
              .forUpdate()
              .execute()
          ).map((row) => [row.fingerprint, row]),
        );
        const transitions: AlertTransition[] = [];
        const rows = [...incoming].map(([fingerprint, alert]) => {
          const before = existing.get(fingerprint);
          // Still the same firing episode: keep when it started. Otherwise this is a new one.
          const sameEpisode = before && before.ends_at.getTime() >= alert.startsAt.getTime();
          const startsAt = sameEpisode && before.starts_at < alert.startsAt ? before.starts_at : alert.startsAt;
          const from = before ? stateAt(before.ends_at, now) : 'inactive';
          const to = stateAt(alert.endsAt, now);
          if (from !== to) transitions.push({ fingerprint, from, to, at: now });
          return {
            project_id: projectId,
            fingerprint,
            labels: JSON.stringify(alert.labels),
            annotations: JSON.stringify(alert.annotations),
            starts_at: startsAt,
            ends_at: alert.endsAt,
            generator_url: alert.generatorURL,
            origin,
            updated_at: now,
          };
        });
        await trx
          .insertInto('alerts')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['project_id', 'fingerprint']).doUpdateSet((eb) => ({
              labels: eb.ref('excluded.labels'),
              annotations: eb.ref('excluded.annotations'),
              starts_at: eb.ref('excluded.starts_at'),
              ends_at: eb.ref('excluded.ends_at'),
              generator_url: eb.ref('excluded.generator_url'),
              origin: eb.ref('excluded.origin'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
        if (transitions.length > 0) {
          await trx
            .insertInto('alert_transitions')
            .values(transitions.map((t) => ({ project_id: projectId, fingerprint: t.fingerprint, from_state: t.from, to_state: t.to, at: t.at })))
            .execute();
        }
        return transitions;
      });
    },

    /** The alerts that fire at `now`, oldest first. */
    async firing(projectId: string, now = new Date()): Promise<StoredAlert[]> {
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('ends_at', '>', now)
        .orderBy('starts_at')
        .orderBy('fingerprint')
        .execute();
      return rows.map(toAlert);
    },

    /** One alert's history of states, newest first. */
    async transitions(projectId: string, fingerprint: string, limit = 100): Promise<AlertTransition[]> {
      const rows = await db
        .selectFrom('alert_transitions')
        .select(['fingerprint', 'from_state', 'to_state', 'at'])
        .where('project_id', '=', projectId)
        .where('fingerprint', '=', fingerprint)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ fingerprint: row.fingerprint, from: row.from_state as AlertTransition['from'], to: row.to_state as AlertState, at: row.at }));
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

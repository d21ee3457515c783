/**
 * Data access for status pages: the page's settings per organization, its incidents and
 * maintenance with their updates, and the daily uptime of the components it shows.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AnyIncidentStatus, CreateIncidentBody, Impact, Incident, StatusDay, StatusPageSettings } from '../../../contracts/status-pages.ts';
import type { Database } from '../../infra/database/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

const CLOSING: readonly AnyIncidentStatus[] = ['resolved', 'completed'];

/** A time without an offset is UTC (contracts/status-pages.ts). */
export function toInstant(value: string): Date {
  return new Date(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`);
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export interface IncidentPatch {
  title?: string | undefined;
  impact?: Impact | undefined;
  components?: string[] | undefined;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
}

export type StatusPagesRepository = ReturnType<typeof createStatusPagesRepository>;

export function createStatusPagesRepository(db: Kysely<Database>) {
  async function withUpdates(rows: readonly IncidentRow[], on: Db = db): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const updates = await on
      .selectFrom('status_incident_updates')
      .select(['id', 'incident_id', 'status', 'message', 'created_at'])
      .where(
        'incident_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      impact: r.impact,
      status: r.status,
      components: r.components,
      startsAt: iso(r.starts_at),
      endsAt: iso(r.ends_at),
      createdAt: iso(r.created_at)!,
      closedAt: iso(r.closed_at),
      updates: updates
        .filter((u) => u.incident_id === r.id)
        .map((u) => ({ id: u.id, status: u.status as AnyIncidentStatus, message: u.message, at: iso(u.created_at)! })),
    }));
  }

  const incidentColumns = ['id', 'kind', 'title', 'impact', 'status', 'components', 'starts_at', 'ends_at', 'created_at', 'closed_at'] as const;

  return {
    async organizationBySlug(slug: string): Promise<{ id: string } | undefined> {
      return db.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst();
    },

    async organizationSlug(organizationId: string): Promise<string> {
      const row = await db.selectFrom('organizations').select('slug').where('id', '=', organizationId).executeTakeFirstOrThrow();
      return row.slug;
    },

    async projectNames(organizationId: string): Promise<Map<string, string>> {
      const rows = await db.selectFrom('projects').select(['id', 'name']).where('organization_id', '=', organizationId).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async settings(organizationId: string): Promise<StatusPageSettings | undefined> {
      const row = await db
        .selectFrom('status_pages')
        .select(['enabled', 'title', 'components'])
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row && { enabled: row.enabled, title: row.title, components: row.components };
    },

    async saveSettings(organizationId: string, settings: StatusPageSettings, trx: Transaction<Database>): Promise<void> {
      const values = { enabled: settings.enabled, title: settings.title, components: settings.components, updated_at: new Date() };
      await trx
        .insertInto('status_pages')
        .values({ organization_id: organizationId, ...values })
        .onConflict((oc) => oc.column('organization_id').doUpdateSet(values))
        .execute();
    },

    /** Open ones, and those closed since `closedSince`, newest first. */
    async listIncidents(organizationId: string, { closedSince }: { closedSince: Date }): Promise<Incident[]> {
      const rows = await db
        .selectFrom('status_incidents')
        .select(incidentColumns)
        .where('organization_id', '=', organizationId)
        .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', closedSince)]))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(500)
        .execute();
      return withUpdates(rows);
    },

    async findIncident(organizationId: string, id: string, on: Db = db): Promise<Incident | undefined> {
      const rows = await on.selectFrom('status_incidents').select(incidentColumns).where('organization_id', '=', organizationId).where('id', '=', id).execute();
      return (await withUpdates(rows, on))[0];
    },

    async createIncident(organizationId: string, body: CreateIncidentBody, trx: Transaction<Database>): Promise<Incident> {
      const status: AnyIncidentStatus = body.kind === 'incident' ? body.status : 'scheduled';
      const created = await trx
        .insertInto('status_incidents')
        .values({
          organization_id: organizationId,
          kind: body.kind,
          title: body.title,
          impact: body.kind === 'incident' ? body.impact : 'none',
          components: body.components,
          status,
          starts_at: body.kind === 'maintenance' ? toInstant(body.startsAt) : null,
          ends_at: body.kind === 'maintenance' ? toInstant(body.endsAt) : null,
          closed_at: CLOSING.includes(status) ? new Date() : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('status_incident_updates').values({ incident_id: created.id, status, message: body.message }).execute();
      return (await this.findIncident(organizationId, created.id, trx))!;
    },

    async patchIncident(organizationId: string, id: string, patch: IncidentPatch, trx: Transaction<Database>): Promise<void> {
      await trx
        .updateTable('status_incidents')
        .set({
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.impact !== undefined ? { impact: patch.impact } : {}),
          ...(patch.components !== undefined ? { components: patch.components } : {}),
          ...(patch.startsAt !== undefined ? { starts_at: toInstant(patch.startsAt) } : {}),
          ...(patch.endsAt !== undefined ? { ends_at: toInstant(patch.endsAt) } : {}),
          updated_at: new Date(),
        })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .execute();
    },

    async addUpdate(organizationId: string, id: string, update: { status: AnyIncidentStatus; message: string }, trx: Transaction<Database>): Promise<void> {
      const now = new Date();
      await trx.insertInto('status_incident_updates').values({ incident_id: id, status: update.status, message: update.message, created_at: now }).execute();
      await trx
        .updateTable('status_incidents')
        .set({ status: update.status, updated_at: now, closed_at: CLOSING.includes(update.status) ? now : null })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .execute();
    },

    async deleteIncident(organizationId: string, id: string, trx: Transaction<Database>): Promise<boolean> {
      const result = await trx.deleteFrom('status_incidents').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /**
     * Uptime per UTC day from `from` (a UTC midnight) for each component key, from every
     * resolution of the history at once: raw rows and buckets carry their counts alike, and
     * hourly and daily buckets start on UTC hours and days, so each falls in one day. Warn counts
     * as up, as in the health history's uptime. Days without rows are absent.
     */
    async dailyUptime(organizationId: string, keys: readonly string[], from: Date): Promise<Map<string, Map<string, Omit<StatusDay, 'date'>>>> {
      const result = new Map<string, Map<string, Omit<StatusDay, 'date'>>>();
      if (keys.length === 0) return result;
      const wanted = keys.map((key) => {
        const slash = key.indexOf('/');
        return { projectId: key.slice(0, slash), name: key.slice(slash + 1) };
      });
      const { rows } = await sql<{ project_id: string; component: string; day: string; samples: string; up: string; failures: string }>`
        SELECT project_id, component, to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
               sum(sample_count) AS samples, sum(pass_count + warn_count) AS up, sum(fail_count) AS failures
        FROM health_samples
        WHERE organization_id = ${organizationId}
          AND (project_id::text, component) IN (${sql.join(wanted.map((w) => sql`(${w.projectId}, ${w.name})`))})
          AND checked_at >= ${from}
        GROUP BY project_id, component, day
      `.execute(db);
      for (const row of rows) {
        const key = `${row.project_id}/${row.component}`;
        const days = result.get(key) ?? new Map<string, Omit<StatusDay, 'date'>>();
        const samples = Number(row.samples);
        // Rounded down, so a day with one failure never shows as 100 %.
        days.set(row.day, {
          samples,
          failures: Number(row.failures),
          uptimePercent: samples > 0 ? Math.floor((Number(row.up) / samples) * 100_000) / 1000 : null,
        });
        result.set(key, days);
      }
      return result;
    },
  };
}

interface IncidentRow {
  id: string;
  kind: 'incident' | 'maintenance';
  title: string;
  impact: Impact;
  status: AnyIncidentStatus;
  components: string[];
  starts_at: Date | null;
  ends_at: Date | null;
  created_at: Date;
  closed_at: Date | null;
}

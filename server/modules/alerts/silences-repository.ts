/**
 * Silences: matchers and a time window. A silence is pending before its window, active in it and
 * expired after; expiring one ends its window now. Updating a silence that has not expired
 * changes it in place (its id stays, so links to it keep working); "updating" an expired one
 * creates a new silence, as Alertmanager does, since an expired silence is history.
 */
import type { Kysely } from 'kysely';
import type { ApiMatcher, PostableSilence } from '../../../contracts/alertmanager.ts';
import type { Database } from '../../infra/database/schema.ts';
import { AppError } from '../../platform/errors/index.ts';

export type SilenceState = 'pending' | 'active' | 'expired';

export interface StoredSilence {
  id: string;
  matchers: ApiMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
  updatedAt: Date;
}

export function silenceState(silence: Pick<StoredSilence, 'startsAt' | 'endsAt'>, now: Date): SilenceState {
  if (silence.endsAt.getTime() <= now.getTime()) return 'expired';
  return silence.startsAt.getTime() > now.getTime() ? 'pending' : 'active';
}

const notFound = (id: string) => new AppError('WK_ERR_SILENCE_NOT_FOUND', `there is no silence ${id} in this project`);

export function createSilencesRepository(db: Kysely<Database>) {
  const toSilence = (row: {
    id: string;
    matchers: ApiMatcher[];
    starts_at: Date;
    ends_at: Date;
    created_by: string;
    comment: string;
    updated_at: Date;
  }): StoredSilence => ({
    id: row.id,
    matchers: row.matchers,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    comment: row.comment,
    updatedAt: row.updated_at,
  });

  const get = async (projectId: string, id: string): Promise<StoredSilence | undefined> => {
    const row = await db.selectFrom('silences').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return row && toSilence(row);
  };

  return {
    get,

    /** Every silence of the project, the expired ones of the last `keepExpiredMs` included. */
    async list(projectId: string, { now = new Date(), keepExpiredMs = 5 * 24 * 3_600_000 } = {}): Promise<StoredSilence[]> {
      const rows = await db
        .selectFrom('silences')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('ends_at', '>', new Date(now.getTime() - keepExpiredMs))
        .orderBy('ends_at', 'desc')
        .execute();
      return rows.map(toSilence);
    },

    /** Creates or updates; answers the silence's id (a new one when an expired silence was "updated"). */
    async put(projectId: string, silence: PostableSilence, now = new Date()): Promise<string> {
      const values = {
        matchers: JSON.stringify(silence.matchers),
        starts_at: new Date(silence.startsAt),
        ends_at: new Date(silence.endsAt),
        created_by: silence.createdBy,
        comment: silence.comment,
        updated_at: now,
      };
      if (values.ends_at.getTime() <= now.getTime())
        throw new AppError('WK_ERR_VALIDATION', 'the silence would end in the past', { fieldErrors: [{ pointer: '/body/endsAt', detail: 'is in the past' }] });
      if (silence.id) {
        const before = await get(projectId, silence.id);
        if (!before) throw notFound(silence.id);
        if (silenceState(before, now) !== 'expired') {
          await db.updateTable('silences').set(values).where('project_id', '=', projectId).where('id', '=', silence.id).execute();
          return silence.id;
        }
      }
      const row = await db
        .insertInto('silences')
        .values({ project_id: projectId, ...values })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** Ends the silence now (a pending one never starts). Expiring an expired silence changes nothing. */
    async expire(projectId: string, id: string, now = new Date()): Promise<void> {
      const before = await get(projectId, id);
      if (!before) throw notFound(id);
      if (silenceState(before, now) === 'expired') return;
      const startsAt = before.startsAt.getTime() > now.getTime() ? now : before.startsAt;
      await db
        .updateTable('silences')
        .set({ starts_at: startsAt, ends_at: now, updated_at: now })
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .execute();
    },
  };
}

export type SilencesRepository = ReturnType<typeof createSilencesRepository>;

/** The slice of health history a read covers: whose, which component, and when. */
import { sql, type RawBuilder } from 'kysely';

/** Whose history is read: an organization, optionally narrowed to one of its projects. */
export interface HistoryScope {
  organizationId: string;
  projectId?: string;
}

export interface HistoryWindow {
  scope: HistoryScope;
  from: Date;
  to: Date;
  /** One component, or every component in the scope. */
  component?: string;
}

export function scopeConditions(scope: HistoryScope, component: string | undefined): RawBuilder<unknown>[] {
  const conditions = [sql`organization_id = ${scope.organizationId}`];
  if (scope.projectId !== undefined) conditions.push(sql`project_id = ${scope.projectId}`);
  if (component !== undefined) conditions.push(sql`component = ${component}`);
  return conditions;
}

export function windowConditions(window: HistoryWindow, time: 'checked_at' | 'occurred_at'): RawBuilder<unknown> {
  const conditions = scopeConditions(window.scope, window.component);
  conditions.push(sql`${sql.ref(time)} >= ${window.from}`, sql`${sql.ref(time)} <= ${window.to}`);
  return sql.join(conditions, sql` AND `);
}

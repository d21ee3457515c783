/** The components a narrowed report lists (`?status=`, `?limit=`, `?cursor=`), and its next page's link. */
import type { HealthStatus } from '../../../contracts/health.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ComponentState } from './component-state.ts';
import { encodeReportCursor } from './health.schemas.ts';

export interface ReportQuery {
  status?: HealthStatus[] | undefined;
  limit?: number | undefined;
  /** The id of the last component of the previous page (the decoded cursor). */
  after?: string | undefined;
}

/** A component not checked yet is listed as `warn`, as its entries say (health-report.ts). */
const statusOf = (state: ComponentState): HealthStatus => state.status ?? 'warn';

export function selectComponents(all: ComponentState[], { status, limit, after }: ReportQuery): { states: ComponentState[]; next: string | undefined } {
  let start = 0;
  if (after !== undefined) {
    const at = all.findIndex((state) => state.id === after);
    if (at === -1) {
      // The component the page ended with is gone: the order cannot say where the next one starts.
      const detail = `/query/cursor: the component "${after}" the previous page ended with is no longer listed; start again without a cursor`;
      throw new AppError('WK_ERR_VALIDATION', detail, { fieldErrors: [{ pointer: '/query/cursor', detail: 'names a component that is no longer listed' }] });
    }
    start = at + 1;
  }
  if (status === undefined && limit === undefined) return { states: start === 0 ? all : all.slice(start), next: undefined };
  const wanted = status ? new Set(status) : undefined;
  const states: ComponentState[] = [];
  for (let i = start; i < all.length; i++) {
    const state = all[i]!;
    if (wanted && !wanted.has(statusOf(state))) continue;
    if (limit !== undefined && states.length === limit) return { states, next: states.at(-1)!.id };
    states.push(state);
  }
  return { states, next: undefined };
}

/**
 * The next page's path and query: the same narrowing and the cursor of the next page. Built from
 * the parsed query, not the request's own URL, so every request asking the same thing gets the
 * same answer (they share one kept answer, read-snapshots.ts).
 */
export function nextLink(path: string, { status, limit }: ReportQuery, lastId: string): string {
  const query = new URLSearchParams();
  if (status !== undefined) query.set('status', status.join(','));
  if (limit !== undefined) query.set('limit', String(limit));
  query.set('cursor', encodeReportCursor(lastId));
  return `${path}?${query.toString()}`;
}

/** What a narrowed read is, as text: the key its answer is kept under. */
export const describeQuery = ({ status, limit, after }: ReportQuery): string => `${status?.join(',') ?? ''}|${limit ?? ''}|${after ?? ''}`;

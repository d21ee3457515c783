/**
 * Each project's list of stored services, kept in memory so that `GET /api/services` in the
 * steady state reads nothing from the database. Every insert, update or delete on
 * `external_services` notifies `watchkeeper_services` with the project on commit (migration 0010),
 * and every instance drops that project's list; see notified-cache.ts for the rest of the rule.
 * Only reads outside a transaction are cached: one inside a transaction must see its own writes.
 */
import type { TenantScope } from '../../../contracts/tenancy.ts';
import { NotifiedCache, type NotificationListener } from '../../infra/database/index.ts';
import type { Executor, ServicesRepository, StoredService } from './services-repository.ts';

export const SERVICES_CHANNEL = 'watchkeeper_services';

const keyOf = (scope: TenantScope) => `${scope.organizationId}:${scope.projectId}`;

export function withCachedLists(
  repository: ServicesRepository,
  { notifications, ttlMs }: { notifications: NotificationListener; ttlMs: number },
): ServicesRepository {
  const lists = new NotifiedCache<StoredService[]>({ ttlMs, max: 1_000 });
  if (ttlMs > 0) {
    notifications.onState((listening) => lists.hearing(listening));
    notifications.subscribe(SERVICES_CHANNEL, (payload) => lists.drop(payload));
    lists.hearing(notifications.listening);
  }
  return {
    ...repository,
    async list(scope: TenantScope, trx?: Executor): Promise<StoredService[]> {
      if (trx) return repository.list(scope, trx);
      const key = keyOf(scope);
      const cached = lists.get(key);
      if (cached) return cached;
      const load = lists.loading(key);
      const stored = await repository.list(scope);
      load.store(stored);
      return stored;
    },
  };
}

/**
 * The rules every Watchkeeper has over its own health, in its own project. They are parsed by the
 * same schema as a user's rules, so a built-in rule cannot be one the form would refuse.
 */
import { alertRuleSchema, type AlertRule, type AlertRuleInput } from '../../../../contracts/alert-rules.ts';

const DATABASE_DOWN: AlertRuleInput = {
  name: 'WatchkeeperDatabaseDown',
  source: { type: 'health', component: 'database', statuses: ['fail'] },
  severity: 'critical',
  for: '1m',
  annotations: {
    summary: 'Watchkeeper cannot reach its database',
    description: 'The {{ $labels.component }} check has failed for over a minute: Watchkeeper is not ready and stores nothing.',
  },
};

// The disk probe warns and fails at HEALTH_DISK_WARN_PERCENT / HEALTH_DISK_FAIL_PERCENT (85 and
// 95 by default) of the data volume. The time-series store holds free and total bytes, not a used
// ratio, and its metric query cannot divide one series by another: the probe is the one measure.
const DISK_NEARLY_FULL: AlertRuleInput = {
  name: 'WatchkeeperDiskNearlyFull',
  source: { type: 'health', component: 'disk', statuses: ['warn', 'fail'] },
  severity: 'warning',
  for: '5m',
  annotations: {
    summary: 'The data volume of Watchkeeper is nearly full',
    description: 'The {{ $labels.component }} check warns or fails: free space before the database and the logs stop writing.',
  },
};

const CACHE_UNAVAILABLE: AlertRuleInput = {
  name: 'WatchkeeperCacheUnavailable',
  source: { type: 'health', component: 'cache', statuses: ['fail'] },
  severity: 'warning',
  for: '2m',
  annotations: {
    summary: 'Watchkeeper cannot reach Redis',
    description: 'The {{ $labels.component }} check has failed for two minutes: sessions and rate limits fall back or fail.',
  },
};

// WatchkeeperBackupsStale goes here once backups exist: the age of the last successful backup
// over the configured schedule, critical when none has succeeded for twice the interval.

/** The built-in rules; the cache rule only when Redis is configured (the in-process cache cannot be down). */
export function defaultAlertRules({ redisConfigured }: { redisConfigured: boolean }): AlertRule[] {
  const rules = [DATABASE_DOWN, DISK_NEARLY_FULL, ...(redisConfigured ? [CACHE_UNAVAILABLE] : [])];
  return rules.map((rule) => alertRuleSchema.parse(rule));
}

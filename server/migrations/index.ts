/**
 * The ordered list of migrations. Forward-only: a migration, once landed, is never edited; a
 * change is a new file. Listed statically so the same list works under tsx and in a bundle.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001-tenancy-and-health.ts';
import * as m0002 from './0002-accounts.ts';
import * as m0003 from './0003-rbac-and-api-keys.ts';
import * as m0004 from './0004-audit-log.ts';
import * as m0005 from './0005-ip-rules.ts';
import * as m0006 from './0006-security-events.ts';
import * as m0007 from './0007-security-retention.ts';
import * as m0008 from './0008-session-version.ts';
import * as m0009 from './0009-wider-health-buckets.ts';
import * as m0010 from './0010-change-notifications.ts';
import * as m0011 from './0011-status-pages.ts';
import * as m0012 from './0012-pushed-metrics.ts';
import * as m0013 from './0013-metric-time-series.ts';
import * as m0014 from './0014-declared-metrics.ts';
import * as m0015 from './0015-alerts.ts';

export const migrations: Record<string, Migration> = {
  '0001-tenancy-and-health': m0001,
  '0002-accounts': m0002,
  '0003-rbac-and-api-keys': m0003,
  '0004-audit-log': m0004,
  '0005-ip-rules': m0005,
  '0006-security-events': m0006,
  '0007-security-retention': m0007,
  '0008-session-version': m0008,
  '0009-wider-health-buckets': m0009,
  '0010-change-notifications': m0010,
  '0011-status-pages': m0011,
  '0012-pushed-metrics': m0012,
  '0013-metric-time-series': m0013,
  '0014-declared-metrics': m0014,
  '0015-alerts': m0015,
};

export const LATEST_MIGRATION = Object.keys(migrations).at(-1)!;

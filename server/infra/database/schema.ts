/** Kysely's view of the tables; kept in step with server/migrations. */
import type { ColumnType, Generated } from 'kysely';
import type { DeclaredMetric } from '../../../contracts/declared-metrics.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Generated<Timestamp>;
}

export interface ProjectsTable {
  id: Generated<string>;
  organization_id: string;
  slug: string;
  name: string;
  created_at: Generated<Timestamp>;
}

export interface ExternalServicesTable {
  id: Generated<string>;
  organization_id: string;
  project_id: string;
  name: string;
  /** The validated service definition (contracts/services.ts), without its name. */
  definition: ColumnType<unknown, string, string>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface HealthSamplesTable {
  id: Generated<string>;
  organization_id: string;
  project_id: string;
  component: string;
  status: 'pass' | 'warn' | 'fail';
  latency_ms: number | null;
  /** 'raw' for one check run, '5m', '1h' and '1d' for downsampled buckets. */
  resolution: 'raw' | '5m' | '1h' | '1d';
  sample_count: number;
  pass_count: number;
  warn_count: number;
  fail_count: number;
  latency_p95_ms: number | null;
  latency_max_ms: number | null;
  output: string | null;
  checked_at: Timestamp;
}

export interface HealthEventsTable {
  id: Generated<string>;
  organization_id: string;
  project_id: string;
  component: string;
  /** 'transition' for a status change, 'recovery' for a recovery action and its outcome. */
  kind: 'transition' | 'recovery';
  from_status: 'pass' | 'warn' | 'fail' | null;
  to_status: 'pass' | 'warn' | 'fail' | null;
  output: string | null;
  details: ColumnType<unknown, string | undefined, string>;
  occurred_at: Timestamp;
}

export interface AuditLogTable {
  /** bigint: a decimal string from pg. Assigned by the appender (gapless), never updated. */
  seq: ColumnType<string, string, never>;
  occurred_at: ColumnType<Date, string, never>;
  organization_id: ColumnType<string | null, string | null, never>;
  actor_type: ColumnType<'user' | 'api-key' | 'system' | 'anonymous', 'user' | 'api-key' | 'system' | 'anonymous', never>;
  actor_id: ColumnType<string | null, string | null, never>;
  actor_label: ColumnType<string | null, string | null, never>;
  action: ColumnType<string, string, never>;
  target_type: ColumnType<string | null, string | null, never>;
  target_id: ColumnType<string | null, string | null, never>;
  target_label: ColumnType<string | null, string | null, never>;
  outcome: ColumnType<'success' | 'failure' | 'denied', 'success' | 'failure' | 'denied', never>;
  ip: ColumnType<string | null, string | null, never>;
  user_agent: ColumnType<string | null, string | null, never>;
  request_id: ColumnType<string | null, string | null, never>;
  details: ColumnType<unknown, string, never>;
  prev_hash: ColumnType<string, string, never>;
  hash: ColumnType<string, string, never>;
}

export interface IpRulesTable {
  id: Generated<string>;
  organization_id: string;
  action: 'allow' | 'deny';
  /** PostgreSQL `cidr`: canonical network/prefix text. */
  cidr: string;
  scope: 'all' | 'admin' | 'ingest' | 'health' | 'web';
  description: Generated<string>;
  created_by: string | null;
  created_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  disabled_at: Timestamp | null;
  password_changed_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Raised with every change that ends or re-rights a session of the user (0008). */
  session_version: Generated<number>;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  rotate_required: Generated<boolean>;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottlesTable {
  key: string;
  failures: Generated<number>;
  last_failure_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface RolesTable {
  id: Generated<string>;
  organization_id: string | null;
  name: string;
  description: Generated<string>;
  created_at: Timestamp;
}

export interface RolePermissionsTable {
  role_id: string;
  permission: string;
}

export interface MembershipsTable {
  id: Generated<string>;
  user_id: string;
  organization_id: string;
  project_id: string | null;
  role_id: string;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  organization_id: string;
  project_id: string | null;
  created_by: string | null;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SecurityEventsTable {
  id: Generated<string>;
  organization_id: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  subject: string;
  count: number;
  window_seconds: number;
  window_start: Date;
  first_seen: Date;
  last_seen: Date;
  details: unknown;
}

export interface SecurityApiKeyIpsTable {
  api_key_id: string;
  ip: string;
  organization_id: string;
  first_seen: Generated<Date>;
  /** Bumped at most every few minutes while the key keeps being used from the address. */
  last_seen: Generated<Date>;
}

export interface StatusPagesTable {
  organization_id: string;
  enabled: boolean;
  title: string;
  /** `<project id>/<component name>` of each component the page shows, in its order. */
  components: string[];
  updated_at: Timestamp;
}

export interface StatusIncidentsTable {
  id: Generated<string>;
  organization_id: string;
  kind: 'incident' | 'maintenance';
  title: string;
  impact: 'none' | 'minor' | 'major' | 'critical';
  components: string[];
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'scheduled' | 'in-progress' | 'completed';
  /** The maintenance window; null for incidents. */
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When it was resolved or completed. */
  closed_at: Timestamp | null;
}

/** JSON written as text (pg sends it as is) and read back parsed. */
type JsonColumn<T> = ColumnType<T, string, string>;

export interface PushedMetricGroupsTable {
  project_id: string;
  /** The grouping labels as a stable string (push/grouping-key.ts). */
  grouping_key: string;
  labels: JsonColumn<Record<string, string>>;
  /** Name → { help, type, samples: [[series name, labels, value as text]] }. */
  families: JsonColumn<Record<string, { help: string; type: string; samples: [string, Record<string, string>, string][] }>>;
  /** Name → [type, series count]. */
  family_series: JsonColumn<Record<string, [string, number]>>;
  series: number;
  pushed_at: Timestamp;
  failed_at: Timestamp | null;
}

export interface AlertsTable {
  project_id: string;
  /** Alertmanager's label-set fingerprint, 16 hex digits. */
  fingerprint: string;
  labels: JsonColumn<Record<string, string>>;
  annotations: JsonColumn<Record<string, string>>;
  starts_at: Timestamp;
  /** In the future while the alert fires; at or before now once resolved. */
  ends_at: Timestamp;
  generator_url: string;
  origin: 'api' | 'rule';
  updated_at: Timestamp;
}

export interface AlertTransitionsTable {
  id: Generated<string>;
  project_id: string;
  fingerprint: string;
  from_state: string;
  to_state: string;
  at: Timestamp;
}

export interface SilencesTable {
  id: Generated<string>;
  project_id: string;
  /** The API v2 matcher objects: `{ name, value, isRegex, isEqual }`. */
  matchers: JsonColumn<{ name: string; value: string; isRegex: boolean; isEqual: boolean }[]>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_by: string;
  comment: string;
  updated_at: Timestamp;
}

export interface DeclaredMetricsTable {
  project_id: string;
  name: string;
  /** contracts/declared-metrics.ts's body: help, type, labels, buckets, maxSeries. */
  declaration: JsonColumn<Omit<DeclaredMetric, 'name'>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MetricSeriesTable {
  id: Generated<string>;
  project_id: string;
  name: string;
  labels: JsonColumn<Record<string, string>>;
}

export interface MetricPointsTable {
  series_id: string;
  at: Timestamp;
  value: number;
}

export interface MetricAggregatesTable extends MetricPointsTable {
  min: number;
  max: number;
  count: number;
}

export interface MetricRollupsTable {
  resolution: string;
  done_until: Timestamp;
}

export interface StatusIncidentUpdatesTable {
  id: Generated<string>;
  incident_id: string;
  status: string;
  message: string;
  created_at: Timestamp;
}

export interface Database {
  organizations: OrganizationsTable;
  projects: ProjectsTable;
  external_services: ExternalServicesTable;
  health_samples: HealthSamplesTable;
  health_events: HealthEventsTable;
  audit_log: AuditLogTable;
  ip_rules: IpRulesTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_throttles: LoginThrottlesTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  memberships: MembershipsTable;
  api_keys: ApiKeysTable;
  security_events: SecurityEventsTable;
  security_api_key_ips: SecurityApiKeyIpsTable;
  status_pages: StatusPagesTable;
  status_incidents: StatusIncidentsTable;
  status_incident_updates: StatusIncidentUpdatesTable;
  pushed_metric_groups: PushedMetricGroupsTable;
  declared_metrics: DeclaredMetricsTable;
  alerts: AlertsTable;
  alert_transitions: AlertTransitionsTable;
  silences: SilencesTable;
  metric_series: MetricSeriesTable;
  metric_points_raw: MetricPointsTable;
  metric_points_1m: MetricAggregatesTable;
  metric_points_1h: MetricAggregatesTable;
  metric_rollups: MetricRollupsTable;
}

/**
 * Every setting Watchkeeper reads, in one table: its environment variable, the path in the config
 * file, its schema with the laptop default, and whether it is a secret. The README's configuration
 * table and `watchkeeper config check` are both derived from this list.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const percent = z.coerce.number().min(0).max(100);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.includes(new URL(value).protocol), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const otlpProtocol = z.enum(['http/protobuf', 'http/json'], { error: 'must be http/protobuf or http/json (gRPC is not supported)' });

// Proxy addresses: IPs or CIDR ranges, comma-separated, or proxy-addr's named ranges.
const proxyKeywords = ['loopback', 'linklocal', 'uniquelocal'];
function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0 || address.includes('%')) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}
// Watchkeeper's own host and the link-local range (where clouds serve instance metadata and credentials).
const DEFAULT_TENANT_BLOCKED_NETWORKS = ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128', '169.254.0.0/16', 'fe80::/10'] as const;
const networkList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((entry) => entry.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine(isIpOrCidr, { error: (issue) => `${JSON.stringify(issue.input)} is not an IP address or a CIDR range` })));

const addressList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((entry) => entry.trim()).filter(Boolean))
  .pipe(
    z.array(
      z.string().refine((entry) => proxyKeywords.includes(entry) || isIpOrCidr(entry), {
        error: (issue) => `${JSON.stringify(issue.input)} is not an IP address, a CIDR range or one of ${proxyKeywords.join(', ')}`,
      }),
    ),
  );
const rateLimit = <E extends string, N extends string>(env: E, name: N, points: number, windowSeconds: number, what: string) =>
  [
    {
      env: `RATE_LIMIT_${env}_POINTS`,
      path: `server.rateLimit${name}Points`,
      schema: positiveInt.default(points),
      description: `Requests per window per client (API key, user, or address) to ${what}.`,
    },
    {
      env: `RATE_LIMIT_${env}_WINDOW_SECONDS`,
      path: `server.rateLimit${name}WindowSeconds`,
      schema: positiveInt.default(windowSeconds),
      description: `Window, in seconds, over which RATE_LIMIT_${env}_POINTS are counted.`,
    },
  ] as const;

export interface SettingDefinition {
  env: string;
  path: string;
  schema: z.ZodType;
  description: string;
  secret?: boolean;
}

export const settings = [
  { env: 'PORT', path: 'server.port', schema: port.default(8080), description: 'HTTP listen port.' },
  {
    env: 'HOST',
    path: 'server.host',
    schema: z.string().min(1).default('localhost'),
    description: 'Listen address; `0.0.0.0` to accept connections from other hosts (containers).',
  },
  {
    env: 'LOG_LEVEL',
    path: 'server.logLevel',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'pino log level.',
  },
  {
    env: 'BODY_LIMIT_BYTES',
    path: 'server.bodyLimitBytes',
    schema: positiveInt.default(1_048_576),
    description: 'Largest accepted request body; larger bodies are answered 413.',
  },
  {
    env: 'SHUTDOWN_TIMEOUT_MS',
    path: 'server.shutdownTimeoutMs',
    schema: positiveInt.default(10_000),
    description: 'Upper bound for graceful shutdown once the drain delay is over; in-flight requests get this long to finish.',
  },
  {
    env: 'SHUTDOWN_DRAIN_DELAY_MS',
    path: 'server.shutdownDrainDelayMs',
    schema: nonNegativeInt.default(5_000),
    description:
      'After a shutdown signal readiness fails at once, but requests are still served for this long, so a load balancer has time to notice and stop sending traffic. 0 stops accepting at once.',
  },
  {
    env: 'REQUEST_TIMEOUT_MS',
    path: 'server.requestTimeoutMs',
    schema: positiveInt.default(30_000),
    description:
      'A request whose headers and body have not all arrived within this long is answered 408 and its connection closed (slow or stalled clients). A 1 MiB body (BODY_LIMIT_BYTES) needs only about 35 KB/s; raise it with the body limit.',
  },
  {
    env: 'REQUEST_HEADERS_TIMEOUT_MS',
    path: 'server.requestHeadersTimeoutMs',
    schema: positiveInt.default(10_000),
    description: 'A connection that has not sent complete request headers within this long is answered 408 and closed; capped at REQUEST_TIMEOUT_MS.',
  },
  {
    env: 'LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS',
    path: 'server.loadShedMaxEventLoopDelayMs',
    schema: nonNegativeInt.default(200),
    description:
      'Load shedding: while the mean event-loop delay over the last second exceeds this, requests other than the liveness and readiness probes are answered 503 with Retry-After at once. 0 turns this check off.',
  },
  {
    env: 'LOAD_SHED_MAX_HEAP_USED_PERCENT',
    path: 'server.loadShedMaxHeapUsedPercent',
    schema: percent.default(90),
    description:
      'Load shedding: while the heap used exceeds this percentage of the heap limit (between HEALTH_MEMORY_WARN_PERCENT and HEALTH_MEMORY_FAIL_PERCENT by default), requests other than the probes are answered 503. 0 turns this check off.',
  },
  {
    env: 'LOAD_SHED_MAX_DATABASE_WAITING',
    path: 'server.loadShedMaxDatabaseWaiting',
    schema: nonNegativeInt.default(50),
    description:
      'Load shedding: while more requests than this wait for a database connection, requests other than the probes are answered 503; a queue for the pool grows latency without delaying the event loop. 0 turns this check off.',
  },
  {
    env: 'LOAD_SHED_RETRY_AFTER_SECONDS',
    path: 'server.loadShedRetryAfterSeconds',
    schema: positiveInt.default(2),
    description: 'The Retry-After, in seconds, of a request refused by load shedding.',
  },
  {
    env: 'SERVICE_ID',
    path: 'server.serviceId',
    schema: z.string().min(1).default('watchkeeper'),
    description: 'The `serviceId` reported in health responses.',
  },
  {
    env: 'RELEASE_ID',
    path: 'server.releaseId',
    schema: z.string().optional(),
    description: 'The `releaseId` reported in health responses (defaults to the package version).',
  },
  {
    env: 'DATA_DIR',
    path: 'storage.dataDir',
    schema: z.string().min(1).default('./data'),
    description: 'Directory for the embedded PostgreSQL cluster and other local state; its volume is the one the disk check watches.',
  },
  {
    env: 'DATABASE_URL',
    path: 'database.url',
    schema: url(['postgres:', 'postgresql:']).optional(),
    description: 'PostgreSQL server to use. Unset: Watchkeeper runs its own embedded PostgreSQL under `DATA_DIR/postgres`.',
    secret: true,
  },
  { env: 'DATABASE_POOL_MAX', path: 'database.poolMax', schema: positiveInt.default(10), description: 'Maximum connections in the pool.' },
  {
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    path: 'database.statementTimeoutMs',
    schema: positiveInt.default(30_000),
    description: 'Server-side statement timeout for every pooled connection.',
  },
  {
    env: 'DATABASE_QUERY_TIMEOUT_MS',
    path: 'database.queryTimeoutMs',
    schema: positiveInt.optional(),
    description:
      'Client-side bound on every query, for a server too frozen to enforce its own timeout; such a query answers 503. Unset: DATABASE_STATEMENT_TIMEOUT_MS + 5000. Must exceed DATABASE_STATEMENT_TIMEOUT_MS.',
  },
  {
    env: 'DATABASE_READ_CACHE_TTL_MS',
    path: 'database.readCacheTtlMs',
    schema: nonNegativeInt.default(10_000),
    description:
      'How long an instance keeps hot reads in memory — users’ and API keys’ rights, each project’s list of services — instead of querying on every request; 0 turns this off. Every change drops them at once on every instance (PostgreSQL notifications sent on commit); while an instance cannot hear those notifications it queries the database.',
  },
  {
    env: 'REDIS_URL',
    path: 'cache.redisUrl',
    schema: url(['redis:', 'rediss:']).optional(),
    description: 'Redis server for the cache. Unset: an in-process LRU cache.',
    secret: true,
  },
  { env: 'CACHE_KEY_PREFIX', path: 'cache.keyPrefix', schema: z.string().default('wk:'), description: 'Prefix for every Redis key Watchkeeper writes.' },
  { env: 'CACHE_MAX_ENTRIES', path: 'cache.maxEntries', schema: positiveInt.default(10_000), description: 'Capacity of the in-process LRU cache.' },
  {
    env: 'HEALTH_INTERVAL_MS',
    path: 'health.intervalMs',
    schema: positiveInt.default(15_000),
    description: 'Default interval between runs of each health check.',
  },
  {
    env: 'HEALTH_TIMEOUT_MS',
    path: 'health.timeoutMs',
    schema: positiveInt.default(5_000),
    description: 'Default timeout of a health check; a check that takes longer fails.',
  },
  {
    env: 'HEALTH_EVENT_LOOP_STALL_MS',
    path: 'health.eventLoopStallMs',
    schema: positiveInt.default(5_000),
    description: 'Liveness fails when the event loop has been blocked longer than this.',
  },
  {
    env: 'HEALTH_MEMORY_WARN_PERCENT',
    path: 'health.memoryWarnPercent',
    schema: percent.default(85),
    description: 'Heap used as a percentage of the heap limit above which memory warns.',
  },
  {
    env: 'HEALTH_MEMORY_FAIL_PERCENT',
    path: 'health.memoryFailPercent',
    schema: percent.default(95),
    description: 'Heap used percentage above which memory fails.',
  },
  {
    env: 'HEALTH_DISK_WARN_PERCENT',
    path: 'health.diskWarnPercent',
    schema: percent.default(85),
    description: 'Used percentage of the data volume above which disk warns.',
  },
  {
    env: 'HEALTH_DISK_FAIL_PERCENT',
    path: 'health.diskFailPercent',
    schema: percent.default(95),
    description: 'Used percentage of the data volume above which disk fails.',
  },
  {
    env: 'HEALTH_DEGRADATION_FACTOR',
    path: 'health.degradationFactor',
    schema: z.coerce.number().min(1).default(3),
    description: 'A component warns when its recent p95 latency exceeds this multiple of its own baseline.',
  },
  {
    env: 'HEALTH_RECOVERY_AFTER_FAILURES',
    path: 'health.recoveryAfterFailures',
    schema: positiveInt.default(3),
    description: "Consecutive failures after which a component's recovery action runs.",
  },
  {
    env: 'HEALTH_HISTORY_RETENTION_DAYS',
    path: 'health.historyRetentionDays',
    schema: positiveInt.default(30),
    description: 'How long health history is kept.',
  },
  {
    env: 'HEALTH_HISTORY_RAW_HOURS',
    path: 'health.historyRawHours',
    schema: positiveInt.default(24),
    description: 'Samples older than this are downsampled to 5-minute buckets.',
  },
  {
    env: 'HEALTH_HISTORY_5M_DAYS',
    path: 'health.history5mDays',
    schema: positiveInt.default(7),
    description: '5-minute buckets older than this are downsampled to hourly buckets.',
  },
  {
    env: 'HEALTH_HISTORY_1H_DAYS',
    path: 'health.history1hDays',
    schema: positiveInt.default(30),
    description: 'Hourly buckets older than this are downsampled to daily buckets.',
  },
  {
    env: 'HEALTH_HISTORY_ENABLED',
    path: 'health.historyEnabled',
    schema: bool.default(true),
    description: 'Store health samples and state changes in the database.',
  },
  {
    env: 'SERVICES_MAX_PER_PROJECT',
    path: 'health.servicesMaxPerProject',
    schema: positiveInt.default(100),
    description: 'Most external services one project may add through the API (every instance checks every service).',
  },
  {
    env: 'SERVICES_TENANT_BLOCKED_NETWORKS',
    path: 'health.servicesTenantBlockedNetworks',
    schema: networkList.default([...DEFAULT_TENANT_BLOCKED_NETWORKS]),
    description:
      'Networks (CIDR ranges or addresses, comma-separated) that the external services of organizations other than the system organization may not target, judged after DNS. Default: loopback, link-local (cloud metadata) and unspecified addresses. Add your private ranges if tenants must not reach them; set to an empty string to allow everything.',
  },
  {
    env: 'METRICS_ALLOW_NETWORKS',
    path: 'server.metricsAllowNetworks',
    schema: networkList.default(['127.0.0.0/8', '::1/128']),
    description:
      'Networks (CIDR ranges or addresses, comma-separated) from which GET /metrics is served without credentials; from anywhere else it needs an API key with the `metrics:read` scope as a bearer token. Default: loopback. To widen, list loopback too (e.g. `127.0.0.0/8,::1/128,10.0.0.0/8`); an empty list (`[]` in the config file) requires the key from everywhere. Behind a reverse proxy on the same host, set TRUST_PROXY, or every request looks like loopback.',
  },
  {
    env: 'METRICS_PUSH_MAX_SERIES_PER_METRIC',
    path: 'metrics.pushMaxSeriesPerMetric',
    schema: positiveInt.default(1_000),
    description:
      'Series one pushed metric may have in a project, over all its groups; a push beyond it is refused 409 (a label explosion), keeping what was stored. A declared metric’s `maxSeries` replaces it for that metric.',
  },
  {
    env: 'METRICS_PUSH_MAX_SERIES_PER_PROJECT',
    path: 'metrics.pushMaxSeriesPerProject',
    schema: positiveInt.default(10_000),
    description: 'Pushed series a project may have in all; a push beyond it is refused 409, keeping what was stored.',
  },
  {
    env: 'METRICS_PUSH_REQUIRE_DECLARED',
    path: 'metrics.pushRequireDeclared',
    schema: bool.default(false),
    description:
      'Refuse (400) a push of a metric the project has not declared (`declaredMetrics` in the config file for Watchkeeper’s own project, or /api/metrics/declared). Off, undeclared metrics are taken as the Pushgateway takes them and only declared ones are held to their declaration.',
  },
  {
    env: 'METRICS_PUSH_MAX_BODY_BYTES',
    path: 'metrics.pushMaxBodyBytes',
    schema: positiveInt.default(4_194_304),
    description: 'Largest push body (after gzip decompression), in bytes; a larger one is refused 413.',
  },
  {
    env: 'METRICS_HEALTH_SERIES',
    path: 'metrics.healthSeries',
    schema: z.enum(['builtin', 'all', 'none']).default('builtin'),
    description:
      'Which health checks the time-series store records (duration and status per check): `builtin`, Watchkeeper’s own components (database, cache, disk, memory, event loop…); `all`, external services too, in their projects; `none`. Every check is in the health history anyway (GET /health/history, with its own rollups); `all` adds two points per check, which at thousands of services is most of the store.',
  },
  {
    env: 'METRICS_SAMPLE_INTERVAL_SECONDS',
    path: 'metrics.sampleIntervalSeconds',
    schema: positiveInt.default(15),
    description:
      'How often Watchkeeper records its own resources, traffic, pool, cache and user activity into its time-series store (0 is not allowed; see METRICS_TIME_SERIES_ENABLED).',
  },
  {
    env: 'METRICS_TIME_SERIES_ENABLED',
    path: 'metrics.timeSeriesEnabled',
    schema: bool.default(true),
    description: 'Record Watchkeeper’s own time series (GET /api/metrics/query). `false` stops sampling, folding and retention; what is stored stays readable.',
  },
  {
    env: 'METRICS_RAW_RETENTION_DAYS',
    path: 'metrics.rawRetentionDays',
    schema: positiveInt.default(2),
    description: 'Days raw time-series points are kept; they are folded into 1-minute aggregates as they come.',
  },
  {
    env: 'METRICS_MINUTE_RETENTION_DAYS',
    path: 'metrics.minuteRetentionDays',
    schema: positiveInt.default(30),
    description: 'Days 1-minute aggregates (avg, min, max, count) are kept; they are folded into 1-hour aggregates.',
  },
  {
    env: 'METRICS_HOUR_RETENTION_DAYS',
    path: 'metrics.hourRetentionDays',
    schema: positiveInt.default(400),
    description: 'Days 1-hour aggregates are kept.',
  },
  {
    env: 'TRUST_PROXY',
    path: 'server.trustProxy',
    schema: addressList.default([]),
    description:
      'Reverse proxies whose X-Forwarded-For/-Proto Watchkeeper believes: IPs or CIDR ranges, comma-separated. Empty (default): the client address is the socket peer, whatever headers say.',
  },
  {
    env: 'TLS_CERT_FILE',
    path: 'server.tlsCertFile',
    schema: z.string().min(1).optional(),
    description: 'PEM certificate (chain) file: set with TLS_KEY_FILE to serve HTTPS (TLS 1.2+). `watchkeeper tls dev-cert` makes one for local use.',
  },
  { env: 'TLS_KEY_FILE', path: 'server.tlsKeyFile', schema: z.string().min(1).optional(), description: 'PEM private key file of TLS_CERT_FILE.' },
  {
    env: 'TLS_REDIRECT_PORT',
    path: 'server.tlsRedirectPort',
    schema: port.optional(),
    description: 'With TLS on, also listen for plain HTTP on this port and redirect every request to HTTPS (308).',
  },
  {
    env: 'RATE_LIMIT_ENABLED',
    path: 'server.rateLimitEnabled',
    schema: bool.default(true),
    description: 'Rate-limit every endpoint per client (API key, user, or IP address); shared through Redis when REDIS_URL is set, in-process otherwise.',
  },
  ...rateLimit('AUTH', 'Auth', 10, 60, 'sign-in and the other POST /api/auth endpoints'),
  ...rateLimit('API', 'Api', 300, 60, 'the API and every route not classed otherwise'),
  ...rateLimit('INGEST', 'Ingest', 6_000, 60, 'ingestion endpoints'),
  ...rateLimit('HEALTH', 'Health', 600, 60, 'health probes'),
  {
    env: 'RATE_LIMIT_ADDRESS_POINTS',
    path: 'server.rateLimitAddressPoints',
    schema: positiveInt.default(1_200),
    description:
      'Requests per window from one client address (an IPv6 /64), whoever is calling, counted in process before authentication: past it the address is answered 429 without any database work. The liveness and readiness probes are not counted.',
  },
  {
    env: 'RATE_LIMIT_ADDRESS_WINDOW_SECONDS',
    path: 'server.rateLimitAddressWindowSeconds',
    schema: positiveInt.default(10),
    description: 'Window, in seconds, over which RATE_LIMIT_ADDRESS_POINTS are counted.',
  },
  {
    env: 'RATE_LIMIT_ADDRESS_UNAUTHORIZED_COST',
    path: 'server.rateLimitAddressUnauthorizedCost',
    schema: z.coerce.number().int().min(0).default(10),
    description:
      'Points an answer 401 (credentials missing or refused) costs its address on top of the one every request costs, so an address trying keys or cookies is soon refused before they are looked up; 0 to count it like any request.',
  },
  {
    env: 'IP_RULES_REFRESH_MS',
    path: 'server.ipRulesRefreshMs',
    schema: positiveInt.default(10_000),
    description: 'How often each instance reloads the IP allow/deny rules from the database (changes through this instance apply at once).',
  },
  {
    env: 'DATABASE_SSL_CA_FILE',
    path: 'database.sslCaFile',
    schema: z.string().min(1).optional(),
    description:
      'PEM CA bundle that verifies the PostgreSQL server certificate; TLS is then required. `sslmode` in DATABASE_URL still applies (`verify-ca` skips the host-name check, `disable` turns TLS off).',
  },
  {
    env: 'REDIS_TLS_CA_FILE',
    path: 'cache.redisTlsCaFile',
    schema: z.string().min(1).optional(),
    description: 'PEM CA bundle that verifies the Redis server certificate, for `rediss://` URLs.',
  },
  {
    env: 'AUDIT_REPEAT_WINDOW_MS',
    path: 'server.auditRepeatWindowMs',
    schema: positiveInt.default(60_000),
    description:
      'Repeated identical denials (same action, client, target and reason) are audited as the first one at once and one record counting the rest when this window ends.',
  },
  {
    env: 'REDIS_COMMAND_TIMEOUT_MS',
    path: 'cache.commandTimeoutMs',
    schema: positiveInt.default(500),
    description:
      'Longest wait for any Redis command. A command that times out opens the circuit: Redis is then not asked at all (the cache misses, rate limits and detection count in process) until a probe, after REDIS_CIRCUIT_COOLDOWN_MS, is answered.',
  },
  {
    env: 'REDIS_CIRCUIT_COOLDOWN_MS',
    path: 'cache.circuitCooldownMs',
    schema: positiveInt.default(5_000),
    description: 'How long Redis is left alone after a command timed out, before one command probes it again.',
  },
  {
    env: 'AUTH_SESSION_IDLE_TIMEOUT_MS',
    path: 'auth.sessionIdleTimeoutMs',
    schema: positiveInt.default(1_800_000),
    description: 'A session unused for this long ends (default 30 minutes).',
  },
  {
    env: 'AUTH_SESSION_ABSOLUTE_TIMEOUT_MS',
    path: 'auth.sessionAbsoluteTimeoutMs',
    schema: positiveInt.default(43_200_000),
    description: 'A session ends this long after sign-in, however active (default 12 hours).',
  },
  {
    env: 'AUTH_COOKIE_SECURE',
    path: 'auth.cookieSecure',
    schema: z.enum(['auto', 'always', 'never']).default('auto'),
    description:
      'Secure flag of the session cookie: `auto` sets it when the request came over TLS (as Fastify sees it; set trustProxy behind a proxy), `always` for deployments behind a TLS-terminating proxy.',
  },
  {
    env: 'AUTH_PASSWORD_MIN_LENGTH',
    path: 'auth.passwordMinLength',
    schema: z.coerce.number().int().min(8).max(128).default(12),
    description: 'Shortest accepted password (at least 8); common passwords are refused whatever their length.',
  },
  {
    env: 'AUTH_LOGIN_MAX_FAILURES',
    path: 'auth.loginMaxFailures',
    schema: positiveInt.default(5),
    description: 'Failed sign-ins for one account before it is locked out; each further failure doubles the lockout.',
  },
  {
    env: 'AUTH_LOGIN_IP_MAX_FAILURES',
    path: 'auth.loginIpMaxFailures',
    schema: positiveInt.default(20),
    description: 'Failed sign-ins from one IP address (any accounts) before that address is locked out.',
  },
  {
    env: 'AUTH_LOCKOUT_BASE_MS',
    path: 'auth.lockoutBaseMs',
    schema: positiveInt.default(60_000),
    description: 'Length of the first lockout; it doubles with each further failure.',
  },
  { env: 'AUTH_LOCKOUT_MAX_MS', path: 'auth.lockoutMaxMs', schema: positiveInt.default(3_600_000), description: 'Longest lockout.' },
  {
    env: 'AUTH_LOGIN_FAILURE_WINDOW_MS',
    path: 'auth.loginFailureWindowMs',
    schema: positiveInt.default(900_000),
    description: 'Failures older than this are forgotten when counting towards a lockout.',
  },
  {
    env: 'SECURITY_DETECTION_WINDOW_MS',
    path: 'server.securityDetectionWindowMs',
    schema: positiveInt.default(600_000),
    description:
      'Sliding window over which security detectors count, and the span of one stored security event. With Redis the counts are shared by every instance; without it (or while it is unreachable) each instance counts its own traffic.',
  },
  {
    env: 'SECURITY_BRUTE_FORCE_THRESHOLD',
    path: 'server.securityBruteForceThreshold',
    schema: positiveInt.default(10),
    description:
      'Refused sign-ins on one account within the window (failures, and tries while it is locked out) that open a brute-force security event (high).',
  },
  {
    env: 'SECURITY_SPRAY_ACCOUNTS_THRESHOLD',
    path: 'server.securitySprayAccountsThreshold',
    schema: positiveInt.default(5),
    description: 'Distinct accounts with failed sign-ins from one address within the window that open a password-spraying security event (high).',
  },
  {
    env: 'SECURITY_DENIAL_BURST_THRESHOLD',
    path: 'server.securityDenialBurstThreshold',
    schema: positiveInt.default(10),
    description: 'Permission denials for one user or API key within the window that open a denied-permission-burst security event (medium).',
  },
  {
    env: 'SECURITY_IP_RULE_DENIALS_THRESHOLD',
    path: 'server.securityIpRuleDenialsThreshold',
    schema: positiveInt.default(1),
    description: 'Audited IP-rule denials of one address within the window that open an IP-rule-denial security event (low).',
  },
  {
    env: 'SECURITY_RATE_LIMIT_STORM_THRESHOLD',
    path: 'server.securityRateLimitStormThreshold',
    schema: positiveInt.default(20),
    description: 'Distinct clients refused by one rate-limit class within the window that open a rate-limit-storm security event (medium).',
  },
  {
    env: 'SECURITY_EVENTS_RETENTION_DAYS',
    path: 'server.securityEventsRetentionDays',
    schema: positiveInt.default(90),
    description:
      'How long security events, and the addresses an API key was used from, are kept. An address the key still uses is kept, so it does not count as new again.',
  },
  {
    env: 'METRICS_CLOUDWATCH_EMF',
    path: 'metrics.cloudwatchEmf',
    schema: bool.default(false),
    description:
      'Write the key metrics (requests and 5xx answers, latency p50/p99, memory, event-loop delay, database pool and circuit, cache hit ratio, failing health components) to stdout as CloudWatch Embedded Metric Format lines, which CloudWatch Logs turns into metrics with no agent (ECS with the awslogs driver).',
  },
  {
    env: 'METRICS_CLOUDWATCH_EMF_INTERVAL_SECONDS',
    path: 'metrics.cloudwatchEmfIntervalSeconds',
    schema: positiveInt.default(60),
    description: 'Seconds between two Embedded Metric Format lines; counts are the change over the interval.',
  },
  {
    env: 'METRICS_CLOUDWATCH_EMF_NAMESPACE',
    path: 'metrics.cloudwatchEmfNamespace',
    schema: z
      .string()
      .regex(/^[\w.\-/#:]{1,255}$/, 'a CloudWatch namespace: 1 to 255 letters, digits and . - _ / # :')
      .refine((namespace) => !namespace.startsWith('AWS/'), 'the AWS/ namespaces are reserved for AWS services')
      .default('Watchkeeper'),
    description: 'The CloudWatch namespace of the Embedded Metric Format metrics; the dimension is `Service` (SERVICE_ID).',
  },
  // The standard OpenTelemetry variables, declared here so that they are validated at boot, masked
  // by `config check` and listed in the README; the SDK is handed their values (server/infra/tracing).
  {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    path: 'tracing.otlpEndpoint',
    schema: url(['http:', 'https:']).optional(),
    description:
      'Base URL of an OTLP/HTTP collector (traces go to its `/v1/traces`); setting it, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, turns tracing on. Unset: no tracing, and no OpenTelemetry code is loaded.',
  },
  {
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    path: 'tracing.otlpTracesEndpoint',
    schema: url(['http:', 'https:']).optional(),
    description: 'Full URL traces are posted to, used as it is; takes precedence over OTEL_EXPORTER_OTLP_ENDPOINT.',
  },
  {
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    path: 'tracing.otlpProtocol',
    schema: otlpProtocol.default('http/protobuf'),
    description: 'How spans are sent: `http/protobuf` or `http/json` (gRPC is not supported).',
  },
  {
    env: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    path: 'tracing.otlpTracesProtocol',
    schema: otlpProtocol.optional(),
    description: 'How spans are sent, taking precedence over OTEL_EXPORTER_OTLP_PROTOCOL.',
  },
  {
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    path: 'tracing.otlpHeaders',
    schema: z
      .string()
      .refine((value) => value.split(',').every((pair) => pair.trim() === '' || /^[^=]+=.*$/.test(pair)), 'must be key=value pairs separated by commas')
      .optional(),
    description: 'Headers sent with every export, as `key=value,key2=value2` (URL-encoded values), e.g. a collector’s API key.',
    secret: true,
  },
  {
    env: 'OTEL_SERVICE_NAME',
    path: 'tracing.serviceName',
    schema: z.string().min(1).default('watchkeeper'),
    description: 'The `service.name` of the spans.',
  },
  {
    env: 'OTEL_TRACES_SAMPLER',
    path: 'tracing.sampler',
    schema: z
      .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
      .default('parentbased_always_on'),
    description: 'Which traces are recorded: `parentbased_*` follows the caller’s decision (traceparent header) and applies the rest to new traces.',
  },
  {
    env: 'OTEL_TRACES_SAMPLER_ARG',
    path: 'tracing.samplerArg',
    schema: z.coerce.number().min(0).max(1).default(1),
    description: 'The ratio, 0 to 1, of new traces the `traceidratio` samplers record.',
  },
  {
    env: 'OTEL_SDK_DISABLED',
    path: 'tracing.sdkDisabled',
    schema: bool.default(false),
    description: 'Turn tracing off even when an OTLP endpoint is set.',
  },
] as const satisfies readonly SettingDefinition[];

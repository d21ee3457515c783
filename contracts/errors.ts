/**
 * The catalogue of error codes: one code per situation a client can tell apart and act on, each
 * with its HTTP status, the problem's `title` and a longer meaning (the README's table is
 * generated from it). Shared by the server, which throws `new AppError('WK_ERR_…')`, and the web
 * client, which maps a problem's `code` to its message; so no Node or DOM imports here.
 *
 * A code, once published, keeps its meaning: a new situation gets a new code. Generic codes
 * (WK_ERR_VALIDATION, WK_ERR_UNAUTHORIZED, WK_ERR_INTERNAL …) are for the cases where the generic
 * statement is the whole truth, not a fallback for a specific one.
 */

export interface ErrorDefinition {
  status: number;
  title: string;
  description: string;
}

export const errorCatalogue = {
  // The request itself
  WK_ERR_VALIDATION: {
    status: 400,
    title: 'Request validation failed',
    description: 'A path parameter, query parameter, header or body field is invalid; `errors` names each one by JSON pointer (`/body/name`, `/query/limit`).',
  },
  WK_ERR_BAD_REQUEST: {
    status: 400,
    title: 'Malformed request',
    description: 'The request cannot be parsed: malformed or empty JSON, a wrong Content-Length, a malformed URL.',
  },
  WK_ERR_UNSTORABLE_TEXT: {
    status: 400,
    title: 'Text that cannot be stored',
    description: 'A text contains characters the database cannot store (such as NUL).',
  },
  WK_ERR_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request not received in time',
    description: 'The headers did not arrive within `REQUEST_HEADERS_TIMEOUT_MS`, or the whole request within `REQUEST_TIMEOUT_MS`; the connection is closed.',
  },
  WK_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
    description: "The request's headers exceed the server's limit (16 KiB); the connection is closed.",
  },
  WK_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    description: 'The body is larger than `BODY_LIMIT_BYTES`.',
  },
  WK_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The route does not accept this Content-Type (send `application/json`).',
  },
  WK_ERR_ROUTE_NOT_FOUND: {
    status: 404,
    title: 'No such route',
    description: 'No route answers this method and path.',
  },

  // Who is calling
  WK_ERR_UNAUTHORIZED: {
    status: 401,
    title: 'Authentication required',
    description:
      'Neither a valid session cookie nor a well-formed `Authorization: Bearer <API key>` header (or Basic auth with the key as the password): sign in or present a key.',
  },
  WK_ERR_INVALID_CREDENTIALS: {
    status: 401,
    title: 'Invalid email or password',
    description: 'Sign-in refused; the answer is the same for an unknown account, a wrong password and a disabled account.',
  },
  WK_ERR_API_KEY_INVALID: {
    status: 401,
    title: 'API key not valid',
    description: 'The API key is unknown, revoked or expired, or the user who made it is disabled.',
  },
  WK_ERR_SIGN_IN_LOCKED: {
    status: 429,
    title: 'Sign-in temporarily locked',
    description: 'Too many failed sign-ins for this email address or client address; `Retry-After` says when to try again.',
  },
  WK_ERR_SESSION_REQUIRED: {
    status: 403,
    title: 'Signed-in user required',
    description: 'The route acts on a signed-in user (their session, password or API keys); an API key cannot call it.',
  },
  WK_ERR_CSRF_TOKEN_INVALID: {
    status: 403,
    title: 'Missing or wrong CSRF token',
    description:
      "A cookie-authenticated write without the session's `X-CSRF-Token` (from `GET /api/auth/session`), or a setup form that has expired: reload and retry.",
  },
  WK_ERR_WRONG_PASSWORD: {
    status: 403,
    title: 'Current password is wrong',
    description: 'Changing the password needs the current one, and it did not match.',
  },

  // What the caller may do
  WK_ERR_PERMISSION_DENIED: {
    status: 403,
    title: 'Permission denied',
    description: 'The caller lacks the permission the route needs here; `detail` names it.',
  },
  WK_ERR_NOT_A_MEMBER: {
    status: 403,
    title: 'Not a member of that organization',
    description: '`X-Organization` names an organization the caller does not belong to (the same answer whether or not it exists).',
  },
  WK_ERR_PRIVILEGE_ESCALATION: {
    status: 403,
    title: 'Beyond your own permissions',
    description: 'Giving or taking away a role, membership or API key scope with permissions the caller does not hold there.',
  },
  WK_ERR_ACCOUNT_NOT_MANAGEABLE: {
    status: 403,
    title: 'Account managed beyond your reach',
    description: 'Disabling an account or resetting its password acts on all its memberships, and the caller cannot manage every one of them.',
  },
  WK_ERR_IP_DENIED: {
    status: 403,
    title: 'Address not allowed',
    description: "An IP rule refuses the client's address on this route group.",
  },
  WK_ERR_RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    description: "The caller's rate limit for this class of route is spent; `Retry-After` says when to try again.",
  },

  // First run
  WK_ERR_SETUP_DONE: {
    status: 409,
    title: 'Already set up',
    description: 'The first administrator can only be created while no account exists.',
  },

  // Organizations, projects and memberships
  WK_ERR_ORGANIZATION_NOT_FOUND: {
    status: 404,
    title: 'No such organization',
    description: 'The organization does not exist or the caller is not a member of it.',
  },
  WK_ERR_ORGANIZATION_SLUG_TAKEN: {
    status: 409,
    title: 'Organization slug taken',
    description: 'Another organization already has this slug (`/body/slug`).',
  },
  WK_ERR_SYSTEM_ORGANIZATION_PROTECTED: {
    status: 409,
    title: 'The system organization is permanent',
    description: 'The system organization cannot be deleted.',
  },
  WK_ERR_PROJECT_NOT_FOUND: {
    status: 404,
    title: 'No such project',
    description: 'The project (in the path, the body or `X-Project`) does not exist in this organization.',
  },
  WK_ERR_NO_PROJECT_YET: {
    status: 404,
    title: 'The organization has no project',
    description: 'A project-scoped route was called in an organization that has no project to act in.',
  },
  WK_ERR_PROJECT_SLUG_TAKEN: {
    status: 409,
    title: 'Project slug taken',
    description: 'Another project of this organization already has this slug (`/body/slug`).',
  },
  WK_ERR_SYSTEM_PROJECT_PROTECTED: {
    status: 409,
    title: 'The system project is permanent',
    description: "The system project holds Watchkeeper's own health and cannot be deleted.",
  },
  WK_ERR_LAST_PROJECT: {
    status: 409,
    title: 'Last project',
    description: 'An organization keeps at least one project; this is its last.',
  },
  WK_ERR_MEMBERSHIP_NOT_FOUND: {
    status: 404,
    title: 'No such membership',
    description: 'The membership does not exist in this organization.',
  },
  WK_ERR_LAST_OWNER: {
    status: 409,
    title: 'Last owner',
    description: 'The change would leave the organization without an organization-wide owner; make someone else owner first.',
  },
  WK_ERR_SELF_MODIFICATION: {
    status: 409,
    title: 'Cannot change yourself',
    description: 'Callers cannot change their own role or membership, or disable themselves; another administrator must.',
  },
  WK_ERR_CONCURRENT_CHANGE: {
    status: 409,
    title: 'Changed meanwhile',
    description: 'What the request relied on (a membership, a role) changed while it ran; reload and try again.',
  },

  // Users and roles
  WK_ERR_USER_NOT_FOUND: {
    status: 404,
    title: 'No such user',
    description: 'The user does not exist or is not a member of this organization.',
  },
  WK_ERR_EMAIL_UNKNOWN: {
    status: 404,
    title: 'No account with this email',
    description: 'No account has this email address; create it first (`POST /api/users`).',
  },
  WK_ERR_EMAIL_TAKEN: {
    status: 409,
    title: 'Email address taken',
    description: 'An account with this email address already exists.',
  },
  WK_ERR_ROLE_NOT_FOUND: {
    status: 404,
    title: 'No such role',
    description: 'The custom role does not exist in this organization.',
  },
  WK_ERR_ROLE_NAME_TAKEN: {
    status: 409,
    title: 'Role name taken',
    description: 'A role with this name exists already, or it is the name of a built-in role (`/body/name`).',
  },
  WK_ERR_ROLE_BUILT_IN: {
    status: 409,
    title: 'Built-in roles are fixed',
    description: 'Built-in roles cannot be changed or deleted.',
  },
  WK_ERR_ROLE_IN_USE: {
    status: 409,
    title: 'Role in use',
    description: 'Memberships hold the role; give them another role before deleting it.',
  },

  // API keys
  WK_ERR_API_KEY_NOT_FOUND: {
    status: 404,
    title: 'No such API key',
    description: 'The API key does not exist in this organization.',
  },

  // External services
  WK_ERR_SERVICE_NOT_FOUND: {
    status: 404,
    title: 'No such external service',
    description: 'No external service of this name in the project.',
  },
  WK_ERR_SERVICE_NAME_TAKEN: {
    status: 409,
    title: 'Service name taken',
    description: 'The project already has an external service with this name (`/body/name`).',
  },
  WK_ERR_SERVICE_NAME_RESERVED: {
    status: 409,
    title: 'Service name reserved',
    description: 'The name belongs to a service of the config file or to a built-in health component (`/body/name`).',
  },
  WK_ERR_SERVICE_READ_ONLY: {
    status: 409,
    title: 'Service declared in the config file',
    description: 'The service is declared in the config file and is read-only through the API; change it there and restart.',
  },
  WK_ERR_SERVICE_LIMIT_REACHED: {
    status: 409,
    title: 'Too many services',
    description: 'The project has the most external services one project may have (`SERVICES_MAX_PER_PROJECT`).',
  },

  // Pushed metrics
  WK_ERR_PUSH_INVALID: {
    status: 400,
    title: 'Pushed metrics refused',
    description:
      'The push cannot be read or breaks a rule of the exposition format: a syntax error (`errors` points at `/body/line/<n>`), an invalid metric or label name, a timestamp, a duplicate series, a histogram without a `+Inf` bucket, a name reserved by Watchkeeper, a grouping key that is not `job/<job>{/<label>/<value>}` (`/params/*`), or a declared metric pushed with a label it does not declare, a value it does not allow or other buckets (`/body/<metric>`), or an undeclared one under `METRICS_PUSH_REQUIRE_DECLARED`. Nothing of it is stored.',
  },
  WK_ERR_PUSH_TYPE_CONFLICT: {
    status: 409,
    title: 'Pushed metric has another type',
    description:
      'A metric of this name was pushed to another group of the project with another type, or is declared with another type; delete that group or push the same type. Nothing of the push is stored.',
  },
  WK_ERR_METRIC_NOT_DECLARED: {
    status: 404,
    title: 'Metric not declared',
    description: 'The project has no declaration of this metric (`/params/name`).',
  },
  WK_ERR_METRIC_DECLARATION_READ_ONLY: {
    status: 409,
    title: 'Metric declared in the config file',
    description: 'The metric is declared in the config file (`declaredMetrics`) and is read-only through the API; change it there and restart.',
  },
  WK_ERR_PUSH_SERIES_LIMIT: {
    status: 409,
    title: 'Too many pushed series',
    description:
      'The push would take a metric over `METRICS_PUSH_MAX_SERIES_PER_METRIC` series (or its declared `maxSeries`), a declared label over its `maxValues` distinct values, or the project over `METRICS_PUSH_MAX_SERIES_PER_PROJECT` (a label explosion); the problem names the metric and the limit. Nothing of the push is stored; what was stored before stays.',
  },

  // Alerts
  WK_ERR_SILENCE_NOT_FOUND: {
    status: 404,
    title: 'No such silence',
    description: 'The project has no silence with this id (`/params/silenceID`, or the `id` of a silence being updated).',
  },
  WK_ERR_MATCHER_INVALID: {
    status: 400,
    title: 'Matcher that cannot be parsed',
    description:
      'A matcher (`filter`, a silence matcher, a route or inhibition matcher) is not in the Alertmanager syntax (`name="value"`, `!=`, `=~`, `!~`) or its regular expression is not valid RE2; the problem names the field and the column.',
  },

  // Health
  WK_ERR_HEALTH_COMPONENT_NOT_FOUND: {
    status: 404,
    title: 'No such health component',
    description: 'No health component of this name is monitored or has history.',
  },

  // Status pages
  WK_ERR_STATUS_PAGE_NOT_FOUND: {
    status: 404,
    title: 'No such status page',
    description: 'No organization has this slug, or its public status page is not enabled.',
  },
  WK_ERR_INCIDENT_NOT_FOUND: {
    status: 404,
    title: 'No such incident',
    description: 'No incident or scheduled maintenance has this id in this organization.',
  },

  // IP rules
  WK_ERR_IP_RULE_NOT_FOUND: {
    status: 404,
    title: 'No such IP rule',
    description: 'No IP rule has this id.',
  },
  WK_ERR_IP_RULE_EXISTS: {
    status: 409,
    title: 'Identical IP rule exists',
    description: 'A rule with the same action, CIDR and scope exists already.',
  },
  WK_ERR_SELF_LOCKOUT: {
    status: 409,
    title: 'Would lock you out',
    description: "The change would refuse the caller's own address on the routes it is calling from; allow that address first.",
  },

  // The server
  WK_ERR_INTERNAL: {
    status: 500,
    title: 'Internal server error',
    description: 'A fault on the server; `requestId` finds it in the logs.',
  },
  WK_ERR_DEPENDENCY_UNAVAILABLE: {
    status: 503,
    title: 'A dependency is unavailable',
    description: 'PostgreSQL or Redis cannot be reached; retry shortly.',
  },
  WK_ERR_OVERLOADED: {
    status: 503,
    title: 'Overloaded',
    description:
      'The instance is shedding load: event-loop delay above `LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS`, heap above `LOAD_SHED_MAX_HEAP_USED_PERCENT`, or more requests waiting for a database connection than `LOAD_SHED_MAX_DATABASE_WAITING`; retry after `Retry-After` seconds. The liveness and readiness probes are never refused.',
  },
  WK_ERR_SHUTTING_DOWN: {
    status: 503,
    title: 'Shutting down',
    description: 'The instance is draining; retry, the load balancer sends the request elsewhere.',
  },
} as const satisfies Record<`WK_ERR_${string}`, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

/** Every code, for `z.enum` and for iterating over the catalogue. */
export const errorCodes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** Where every problem type URI starts; the rest is the code, see `problemTypeFor`. */
export const PROBLEM_TYPE_BASE = 'https://watchkeeper.dev/problems/';

/**
 * The problem's `type` (RFC 9457): one absolute URI per code, derived from the code alone so it
 * stays as stable as the code: `WK_ERR_SERVICE_NAME_TAKEN` → `…/problems/service-name-taken`.
 */
export function problemTypeFor(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code.slice('WK_ERR_'.length).toLowerCase().replaceAll('_', '-')}`;
}

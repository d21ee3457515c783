/** HTTP traffic by route template: rates, errors, latency percentiles, body sizes, and the requests refused before a handler ran. */
import { dashboard, rate, timeseries } from './panels.ts';

export const HTTP_UID = 'watchkeeper-http';

const quantileByRoute = (q: number, metric: string) => ({
  expr: `histogram_quantile(${q}, sum by (le, route) (${rate(metric)}))`,
  legend: '{{route}}',
});

export const httpDashboard = dashboard({
  uid: HTTP_UID,
  title: 'HTTP',
  description:
    'Requests by route template (never the raw URL) and status class: rates, 5xx share, latency percentiles from http_request_duration_seconds, request and response body sizes, and what rate limiting, load shedding and the security detectors refused or reported.',
  panels: [
    timeseries({
      title: 'Requests by route',
      description: 'Requests answered per second, by route template. Requests that matched no route count under the 404 handler’s route.',
      unit: 'reqps',
      queries: [{ expr: `sum by (route) (${rate('http_request_duration_seconds_count')})`, legend: '{{route}}' }],
    }),
    timeseries({
      title: 'Requests by status class',
      description: 'Requests answered per second, by status class (1xx … 5xx).',
      unit: 'reqps',
      queries: [{ expr: `sum by (status_class) (${rate('http_request_duration_seconds_count')})`, legend: '{{status_class}}' }],
    }),
    timeseries({
      title: '5xx ratio by route',
      description: 'Share of each route’s answers that were 5xx.',
      unit: 'percentunit',
      min: 0,
      queries: [
        {
          expr: `sum by (route) (${rate('http_request_duration_seconds_count', 'status_class="5xx"')}) / sum by (route) (${rate('http_request_duration_seconds_count')})`,
          legend: '{{route}}',
        },
      ],
    }),
    timeseries({
      title: 'Latency percentiles',
      description: 'The 50th, 95th and 99th percentiles of the time from receiving a request to having sent its answer, all routes.',
      unit: 's',
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le) (${rate('http_request_duration_seconds_bucket')}))`,
        legend: `p${q * 100}`,
      })),
    }),
    timeseries({
      title: 'p50 latency by route',
      description: 'The median time to answer, by route template.',
      unit: 's',
      width: 8,
      queries: [quantileByRoute(0.5, 'http_request_duration_seconds_bucket')],
    }),
    timeseries({
      title: 'p95 latency by route',
      description: 'The 95th percentile of the time to answer, by route template.',
      unit: 's',
      width: 8,
      queries: [quantileByRoute(0.95, 'http_request_duration_seconds_bucket')],
    }),
    timeseries({
      title: 'p99 latency by route',
      description: 'The 99th percentile of the time to answer, by route template.',
      unit: 's',
      width: 8,
      queries: [quantileByRoute(0.99, 'http_request_duration_seconds_bucket')],
    }),
    timeseries({
      title: 'Request body size p95 by route',
      description: 'The 95th percentile of request bodies (their Content-Length; 0 without one), by route template.',
      unit: 'bytes',
      queries: [quantileByRoute(0.95, 'http_request_size_bytes_bucket')],
    }),
    timeseries({
      title: 'Response body size p95 by route',
      description: 'The 95th percentile of response bodies (their Content-Length; streamed answers without one are not counted), by route template.',
      unit: 'bytes',
      queries: [quantileByRoute(0.95, 'http_response_size_bytes_bucket')],
    }),
    timeseries({
      title: 'Rate-limit refusals by limit',
      description:
        'Requests answered 429 per second, by the limit that refused them: a rate-limit class, `address` for the per-address guard, `sign-in` for the sign-in throttle.',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: `sum by (limit) (${rate('watchkeeper_rate_limit_refusals_total')})`, legend: '{{limit}}' }],
    }),
    timeseries({
      title: 'Load shed by reason',
      description: 'Requests refused 503 per second by load shedding, by the pressure that caused it (event-loop delay, heap, database waiters).',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: `sum by (reason) (${rate('watchkeeper_load_shed_requests_total')})`, legend: '{{reason}}' }],
    }),
    timeseries({
      title: 'Security events opened',
      description: 'Security events the detectors opened per second, by kind and severity (one per attack and window, not one per request).',
      unit: 'ops',
      width: 8,
      queries: [{ expr: `sum by (kind, severity) (${rate('watchkeeper_security_events_total')})`, legend: '{{kind}} {{severity}}' }],
    }),
    timeseries({
      title: 'Audit records by outcome',
      description: 'Audit records written per second, by action and outcome (an aggregated record of repeated denials counts its repetitions).',
      unit: 'ops',
      queries: [{ expr: `sum by (action, outcome) (${rate('watchkeeper_audit_events_total')})`, legend: '{{action}} {{outcome}}' }],
    }),
    timeseries({
      title: 'Dashboard client errors',
      description: 'Errors the web dashboard caught in an error boundary and reported, per second.',
      unit: 'ops',
      queries: [{ expr: `sum(${rate('watchkeeper_client_errors_total')})`, legend: 'reported' }],
    }),
  ],
});

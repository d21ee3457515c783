/**
 * A generic explorer for the metrics a team's services push (Pushgateway-style: each series carries
 * `job` and its grouping labels). Pushed jobs have no `up` series, so the job list here comes from
 * every series' `job` label rather than from `up`.
 */
import { dashboard, queryVariable, table, timeseries } from './panels.ts';

export const CUSTOM_METRICS_UID = 'watchkeeper-custom-metrics';

/** Watchkeeper's own families and recordings, Prometheus's per-target series and alerts, the Pushgateway's bookkeeping: not a team's metrics. */
export const OWN_FAMILIES_REGEX = '/^(?!(?:watchkeeper|http|process|nodejs|scrape|push_time|push_failure_time)_|up$|ALERTS|[a-z_]*:watchkeeper_).+/';

const METRIC = '{__name__=~"$metric", job=~"$job"}';

export const customMetricsDashboard = dashboard({
  uid: CUSTOM_METRICS_UID,
  title: 'Custom metrics',
  description:
    'Explore the metrics pushed by your services: pick a job and one or more metrics. It lists pushed series once push exists; until then it lists whatever other metrics Prometheus holds for the chosen jobs. Watchkeeper’s own families are left out (see the other dashboards).',
  variables: [
    queryVariable({ name: 'job', label: 'Job', query: 'label_values(job)' }),
    queryVariable({ name: 'metric', label: 'Metric', query: 'label_values({job=~"$job"}, __name__)', regex: OWN_FAMILIES_REGEX, includeAll: false }),
  ],
  panels: [
    timeseries({
      title: 'Values',
      description: 'The chosen metrics as pushed, one line per series (every grouping label in its name). For a counter, see the rate below.',
      width: 24,
      height: 10,
      queries: [{ expr: METRIC, legend: '' }],
    }),
    timeseries({
      title: 'Per-second rate (counters)',
      description: 'The per-second rate of the chosen metrics: meaningful for counters (`…_total`), not for gauges.',
      unit: 'ops',
      width: 24,
      queries: [{ expr: `rate(${METRIC}[$__rate_interval])`, legend: '' }],
    }),
    table({
      title: 'Latest values',
      description: 'Each chosen series’ latest value with all its labels.',
      width: 24,
      queries: [{ expr: METRIC }],
    }),
  ],
});

/** Pushed metrics: the Pushgateway API (push.routes.ts), their store, and their part of /metrics. */
export { pushRoutes } from './push.routes.ts';
export { createPushedMetricsRepository, type PushedMetricsRepository } from './pushed-metrics-repository.ts';
export { pushedFamilies, PROJECT_LABEL } from './pushed-exposition.ts';

/** Declared metrics: their store, their API, and the check a push of one passes. */
export { checkDeclarations } from './declaration-check.ts';
export { createDeclaredMetricsRepository, type DeclaredMetricsRepository } from './declared-metrics-repository.ts';
export { declaredMetricsRoutes } from './declared-metrics.routes.ts';

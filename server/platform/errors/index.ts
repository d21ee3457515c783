export { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
export { errorHandlerPlugin, sendProblem, problemTypeFor, isDependencyUnavailable, dependencyOf, OUTAGE_SUMMARY_JOB } from './error-handler.ts';
export type { OutageLog, Dependency } from './outage-log.ts';

export { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
export { errorHandlerPlugin, problemFor, sendProblem, isDependencyUnavailable, dependencyOf, OUTAGE_SUMMARY_JOB } from './error-handler.ts';
export { problemTypeFor } from '../../../contracts/errors.ts';
export type { OutageLog, Dependency } from './outage-log.ts';

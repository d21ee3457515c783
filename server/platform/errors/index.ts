export { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
export { errorHandlerPlugin, sendProblem, problemTypeFor, isDependencyUnavailable } from './error-handler.ts';

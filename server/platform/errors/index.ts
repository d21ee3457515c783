export { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
export { errorHandlerPlugin, sendProblem, isDependencyUnavailable } from './error-handler.ts';
export { problemTypeFor } from '../../../contracts/errors.ts';

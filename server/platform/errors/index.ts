export { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
export { errorHandlerPlugin, sendProblem, problemTypeFor } from './error-handler.ts';

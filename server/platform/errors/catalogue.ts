/**
 * AppError: the one way domain code reports a coded failure (`throw new AppError('WK_ERR_…')`);
 * the error handler turns it into problem+json once, at the edge. The codes themselves live in
 * contracts/errors.ts, shared with the web client.
 */
import { errorCatalogue, type ErrorCode } from '../../../contracts/errors.ts';

export { errorCatalogue, type ErrorCode };

export interface FieldError {
  pointer: string;
  detail: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly fieldErrors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail?: string, options: { fieldErrors?: FieldError[]; cause?: unknown } = {}) {
    super(detail ?? errorCatalogue[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = errorCatalogue[code].status;
    this.fieldErrors = options.fieldErrors;
  }
}

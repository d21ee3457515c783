/**
 * One catalogue of coded errors. Domain code throws `new AppError('WK_ERR_…')`; the error handler
 * turns it into problem+json once, at the edge.
 */
export const errorCatalogue = {
  WK_ERR_VALIDATION: { status: 400, title: 'Request validation failed' },
  WK_ERR_BAD_REQUEST: { status: 400, title: 'Bad request' },
  WK_ERR_UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  WK_ERR_FORBIDDEN: { status: 403, title: 'Forbidden' },
  WK_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  WK_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  WK_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  WK_ERR_NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  WK_ERR_CONFLICT: { status: 409, title: 'Conflict' },
  WK_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  WK_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  WK_ERR_UNPROCESSABLE: { status: 422, title: 'Unprocessable content' },
  WK_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  WK_ERR_INTERNAL: { status: 500, title: 'Internal server error' },
  WK_ERR_DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable' },
  WK_ERR_SHUTTING_DOWN: { status: 503, title: 'Shutting down' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

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

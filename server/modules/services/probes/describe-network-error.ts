/**
 * A readable one-line reason for a failed connection. Node wraps the useful part: fetch throws
 * "fetch failed" with the socket error as its cause, and a host with several addresses fails
 * with an AggregateError whose own message is empty.
 */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error instanceof AggregateError && error.errors.length > 0 ? error.errors.map(describeNetworkError).join('; ') : error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const message = own || code || error.name;
  return error.cause !== undefined && error.cause !== error ? `${message}: ${describeNetworkError(error.cause)}` : message;
}

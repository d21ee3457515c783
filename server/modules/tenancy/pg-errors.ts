/** PostgreSQL error codes the tenancy routes turn into answers instead of 500s. */

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A UNIQUE constraint refused the row (a slug taken by a concurrent request). */
export const isUniqueViolation = (error: unknown): boolean => codeOf(error) === '23505';

/** A FOREIGN KEY constraint refused the row (what it names was deleted concurrently). */
export const isForeignKeyViolation = (error: unknown): boolean => codeOf(error) === '23503';

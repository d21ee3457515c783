/** Why the embedded PostgreSQL could not start, worded for the operator who reads it at boot. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

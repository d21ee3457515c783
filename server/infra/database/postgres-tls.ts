/** TLS options for a PostgreSQL server that DATABASE_SSL_CA_FILE verifies. */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * Connection options for a PostgreSQL server verified with a private CA (DATABASE_SSL_CA_FILE).
 * pg lets TLS parameters in the URL override the `ssl` option, so with a CA file they are taken
 * out of the URL and folded into one `ssl` object: TLS is required, the certificate is checked
 * against the CA, and the host name too unless `sslmode=verify-ca|require|prefer` asks less
 * (libpq's meaning when a root certificate is given). `sslmode=disable` still turns TLS off.
 */
export function postgresTls(url: string, caFile: string | undefined): { connectionString: string; ssl?: pg.PoolConfig['ssl'] } {
  if (!caFile) return { connectionString: url };
  const parsed = new URL(url);
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const mode = param('sslmode') ?? 'verify-full';
  const cert = param('sslcert');
  const key = param('sslkey');
  for (const name of ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey']) parsed.searchParams.delete(name);
  const connectionString = parsed.toString();
  if (mode === 'disable') return { connectionString, ssl: false };
  return {
    connectionString,
    ssl: {
      ca: readFileSync(caFile, 'utf8'),
      rejectUnauthorized: true,
      ...(cert ? { cert: readFileSync(cert, 'utf8') } : {}),
      ...(key ? { key: readFileSync(key, 'utf8') } : {}),
      ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
    },
  };
}

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.ts';
import { poolOptions } from './open-database.ts';

const load = (env: Record<string, string>) => loadConfig({ env: { DATABASE_URL: 'postgres://wk@db.example/wk', ...env }, cwd: tmpdir() });

describe('pool options', () => {
  it('bounds every query on the client a little beyond the server statement timeout by default', () => {
    const options = poolOptions(load({ DATABASE_STATEMENT_TIMEOUT_MS: '20000' }), 'postgres://wk@db.example/wk', { embedded: false });
    expect(options).toMatchObject({ statement_timeout: 20_000, query_timeout: 25_000, connectionTimeoutMillis: 5_000 });
    expect(poolOptions(load({ DATABASE_QUERY_TIMEOUT_MS: '45000' }), 'postgres://wk@db.example/wk', { embedded: false }).query_timeout).toBe(45_000);
  });

  it('refuses a query timeout that would cut queries before the server cancels them', () => {
    expect(() => load({ DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '30000' })).toThrow(ConfigError);
    expect(() => load({ DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '30000' })).toThrow(
      'DATABASE_QUERY_TIMEOUT_MS: must be greater than DATABASE_STATEMENT_TIMEOUT_MS (30000) (got 30000)',
    );
  });
});

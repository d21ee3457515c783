/**
 * Every command that opens the database honours DATABASE_SSL_CA_FILE, as the server does: against
 * a PostgreSQL that speaks only TLS, the right CA lets `migrate`, `user create` and `audit verify`
 * through, and a wrong one makes each fail with one line naming the server, the CA file and why.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevCertificate } from '../server/platform/security/tls/dev-cert.ts';
import { createTestDatabase, runCli, testPassword, uniqueName, type TestDatabase } from './helpers.ts';
import { startPostgresTlsProxy, type PostgresTlsProxy } from './postgres-tls-proxy.ts';

describe('commands against a PostgreSQL that requires TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-cli-tls-'));
  let database: TestDatabase;
  let proxy: PostgresTlsProxy;
  let rightCa: string;
  let wrongCa: string;

  beforeAll(async () => {
    const server = await generateDevCertificate({ dataDir: join(dir, 'server'), hosts: ['127.0.0.1'] });
    rightCa = server.certFile; // self-signed: the certificate is its own CA
    wrongCa = (await generateDevCertificate({ dataDir: join(dir, 'other'), hosts: ['127.0.0.1'] })).certFile;
    database = await createTestDatabase();
    proxy = await startPostgresTlsProxy({ targetUrl: database.url, cert: readFileSync(server.certFile, 'utf8'), key: readFileSync(server.keyFile, 'utf8') });
  });
  afterAll(async () => {
    await proxy?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], caFile: string, env: Record<string, string> = {}) =>
    runCli(args, { DATABASE_URL: proxy.url(database.url), DATABASE_SSL_CA_FILE: caFile, DATA_DIR: join(dir, 'data'), ...env }, dir);
  const refusal = (caFile: string) =>
    new RegExp(
      `^watchkeeper: cannot use PostgreSQL at 127\\.0\\.0\\.1:${proxy.port} \\(certificate checked against DATABASE_SSL_CA_FILE ${caFile.replaceAll('.', '\\.')}\\): .*certificate.*\\n$`,
    );

  const commands: Array<{ name: string; args: string[]; env?: Record<string, string>; succeeds: RegExp }> = [
    { name: 'migrate', args: ['migrate'], succeeds: /^applied: / },
    {
      name: 'user create',
      args: ['user', 'create', '--email', `${uniqueName('tls')}@example.com`, '--admin'],
      env: { WATCHKEEPER_PASSWORD: testPassword() },
      succeeds: /^created .+ with the role owner\n$/,
    },
    { name: 'audit verify', args: ['audit', 'verify'], succeeds: /^audit log intact: / },
  ];

  for (const { name, args, env, succeeds } of commands) {
    it(`${name} fails with a wrong CA, naming it, and succeeds with the right one`, async () => {
      const refused = await run(args, wrongCa, env);
      expect(refused.stderr).toMatch(refusal(wrongCa));
      expect(refused.code).toBe(1);
      const accepted = await run(args, rightCa, env);
      expect(accepted.stderr).toBe('');
      expect(accepted.stdout).toMatch(succeeds);
      expect(accepted.code).toBe(0);
    }, 60_000);
  }
});

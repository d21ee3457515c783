/** The `watchkeeper` command: start, migrate, config check, tls dev-cert, audit verify, user create. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Kysely } from 'kysely';
import { loadConfig, describeConfig, ConfigError, type Config } from './infra/config/index.ts';

const USAGE = `Usage: watchkeeper <command>

Commands:
  start            run the server (PORT, HOST, DATABASE_URL, … see README)
  migrate          apply pending database migrations and exit
  config check     validate the configuration and print it, secrets masked
  user create --email <address> [--admin | --role <role>]
                   create an account (--admin: owner of the system organization); the password
                   comes from WATCHKEEPER_PASSWORD or is asked for on the terminal
  audit verify     check the audit log's hash chain; exit 1 naming any altered, removed or reordered record
  tls dev-cert [--host <name>]… [--days <n>] [--force]
                   write a self-signed certificate for local HTTPS to DATA_DIR/tls (default hosts:
                   localhost, 127.0.0.1, ::1) and print the TLS_CERT_FILE/TLS_KEY_FILE to use
  help             show this text`;

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`watchkeeper: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function migrate(config: Config): Promise<void> {
  // Imported here, not at the top: `start` has to start tracing before pg is first loaded.
  const { migrateToLatest, openDatabase } = await import('./infra/database/index.ts');
  const logger = pino({ level: config.server.logLevel });
  const database = await openDatabase({ config, logger, poolMax: 1, verify: true });
  try {
    const { applied, current } = await migrateToLatest(database.db as Kysely<unknown>);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\nschema version: ${current}\n` : `schema is current (${current})\n`);
  } finally {
    await database.close();
  }
}

function configCheck(config: Config): void {
  const rows = describeConfig(config);
  const width = Math.max(...rows.map((r) => r.env.length));
  process.stdout.write(`configuration is valid${config.configFile ? ` (file: ${config.configFile})` : ''}\n\n`);
  for (const row of rows) process.stdout.write(`${row.env.padEnd(width)}  ${row.value}\n`);
  process.stdout.write(`\nexternal services from the config file: ${config.services.length === 0 ? 'none' : config.services.map((s) => s.name).join(', ')}\n`);
  process.stdout.write(
    `declared metrics from the config file: ${config.declaredMetrics.length === 0 ? 'none' : config.declaredMetrics.map((m) => `${m.name} (${m.type})`).join(', ')}\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [command, sub] = positionals;
  switch (command) {
    case 'start': {
      const config = loadConfigOrExit();
      // Before the server's modules are imported: tracing patches pg, ioredis and http as they load.
      const { startTracing } = await import('./infra/tracing/index.ts');
      const tracing = await startTracing(config.tracing);
      const { startWatchkeeper } = await import('./main.ts');
      await startWatchkeeper(config, { tracing });
      return;
    }
    case 'migrate':
      await migrate(loadConfigOrExit());
      return;
    case 'config':
      if (sub === 'check') return configCheck(loadConfigOrExit());
      break;
    case 'audit':
      if (sub === 'verify') {
        const { runAuditVerify } = await import('./platform/audit/verify-command.ts');
        process.exitCode = await runAuditVerify(loadConfigOrExit());
        return;
      }
      break;
    case 'tls':
      if (sub === 'dev-cert') {
        const { values } = parseArgs({
          args: argv.slice(2),
          options: { host: { type: 'string', multiple: true }, days: { type: 'string' }, force: { type: 'boolean' } },
          strict: true,
        });
        const { runDevCert } = await import('./platform/security/tls/dev-cert-command.ts');
        process.exitCode = await runDevCert({ config: loadConfigOrExit(), hosts: values.host, days: values.days, force: values.force });
        return;
      }
      break;
    case 'user':
      if (sub === 'create') {
        const { values } = parseArgs({
          args: argv.slice(2),
          options: { email: { type: 'string' }, admin: { type: 'boolean' }, role: { type: 'string' } },
          strict: true,
        });
        const { runUserCreate } = await import('./platform/auth/user-create-command.ts');
        process.exitCode = await runUserCreate({
          config: loadConfigOrExit(),
          email: values.email,
          role: values.admin ? 'owner' : (values.role ?? 'viewer'),
          password: process.env.WATCHKEEPER_PASSWORD || undefined,
        });
        return;
      }
      break;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
  }
  process.stderr.write(`watchkeeper: unknown command "${positionals.join(' ')}"\n\n${USAGE}\n`);
  process.exit(2);
}

await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`watchkeeper: ${(error as Error).message}\n`);
  process.exit(1);
});

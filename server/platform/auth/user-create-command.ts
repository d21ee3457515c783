/**
 * `watchkeeper user create --email <address> [--admin | --role <role>]`: creates an account
 * without the web UI (the first administrator on a headless install). `--admin` makes the user an
 * owner of the system organization, which holds every permission.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import type { Config } from '../../infra/config/index.ts';
import { migrateToLatest, openDatabase } from '../../infra/database/index.ts';
import { AppError } from '../errors/index.ts';
import { createAccount } from './accounts.ts';

export interface UserCreateOptions {
  config: Config;
  email: string | undefined;
  role: string;
  organizationId?: string;
  /** From WATCHKEEPER_PASSWORD; asked for on the terminal when absent. */
  password: string | undefined;
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('no password: set WATCHKEEPER_PASSWORD or run in a terminal');
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolveAnswer) => {
      rl.question(question, (answer) => {
        process.stdout.write('\n');
        resolveAnswer(answer);
      });
      muted = true;
    });
  } finally {
    rl.close();
  }
}

/** Returns the process exit code. */
export async function runUserCreate({ config, email, role, organizationId = SYSTEM_ORGANIZATION_ID, password }: UserCreateOptions): Promise<number> {
  if (!email) {
    process.stderr.write('watchkeeper: user create needs --email <address>\n');
    return 2;
  }
  const secret = password ?? (await promptHidden(`Password for ${email}: `));
  if (password === undefined && (await promptHidden('Repeat the password: ')) !== secret) {
    process.stderr.write('watchkeeper: the two passwords differ\n');
    return 1;
  }
  const logger = pino({ level: config.server.logLevel });
  const database = await openDatabase({ config, logger, poolMax: 2, verify: true });
  const { db } = database;
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
    const user = await createAccount(db, { email, password: secret, role, organizationId }, { policy: { minLength: config.auth.passwordMinLength } });
    process.stdout.write(`created ${user.email} (${user.id}) with the role ${role}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`watchkeeper: ${error.fieldErrors?.map((e) => e.detail).join('; ') || error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

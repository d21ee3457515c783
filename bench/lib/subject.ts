/**
 * The server under test: the real compiled program (`bin/watchkeeper.js start`, which rebuilds
 * dist/ when stale) in its own process, on a free port, a throwaway DATA_DIR and a fresh
 * database, with the rate limits raised so that no 429 is counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { freePort, stopChild, waitForOk } from './processes.ts';

const BIN = fileURLToPath(new URL('../../bin/watchkeeper.js', import.meta.url));
const UNLIMITED = String(1_000_000_000);

export interface Subject {
  url: string;
  pid: number;
  database: BenchDatabase;
  /** Runs another `watchkeeper` command against the same configuration (e.g. `user create`). */
  command(args: string[], env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

function baseEnv(dataDir: string, databaseUrl: string, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    RATE_LIMIT_HEALTH_POINTS: UNLIMITED,
    RATE_LIMIT_API_POINTS: UNLIMITED,
    RATE_LIMIT_ADDRESS_POINTS: UNLIMITED,
    // The stress scenario's malformed requests go to the sign-in route, whose class is strict.
    RATE_LIMIT_AUTH_POINTS: UNLIMITED,
  };
}

/** A log line at error level or above (pino's 50, 60), or anything on stderr that says error. */
const ERROR_LINE = /"level":(50|60)\b|\berror\b/i;

/**
 * The process's output for an error message: the last 4,000 characters, and the first error line
 * if it scrolled out of them (a failed start's cause often comes long before the end).
 */
function run(args: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let firstError: string | undefined;
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    firstError ??= text
      .split('\n')
      .find((line) => ERROR_LINE.test(line))
      ?.slice(0, 2000);
    tail = (tail + text).slice(-4000);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { child, output: () => (firstError && !tail.includes(firstError) ? `first error: ${firstError}\n…\n${tail}` : tail) };
}

export interface SubjectOptions {
  databaseUrl?: string | undefined;
  /** Settings added to (or replacing) the harness's own, e.g. a config file for one scenario's own subject. */
  env?: Record<string, string>;
  /** How long start-up may take before the run gives up (a config with many services boots longer). */
  readyTimeoutMs?: number;
}

export async function startSubject({ databaseUrl, env: extraEnv = {}, readyTimeoutMs }: SubjectOptions = {}): Promise<Subject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-bench-'));
  const database = await createBenchDatabase({ serverUrl: databaseUrl });
  const port = await freePort();
  const env = { ...baseEnv(dataDir, database.url, port), ...extraEnv };
  const { child, output } = run(['start'], env, dataDir);
  const url = `http://127.0.0.1:${port}`;
  const cleanUp = async () => {
    await stopChild(child);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForOk(`${url}/health/readiness`, child, output, readyTimeoutMs);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    database,
    command: async (args, extra = {}) => {
      const { child: command, output: commandOutput } = run(args, { ...env, ...extra }, dataDir);
      const code = await new Promise<number | null>((resolve) => command.once('exit', resolve));
      if (code !== 0) throw new Error(`watchkeeper ${args.join(' ')} exited ${code}: ${commandOutput()}`);
    },
    stop: cleanUp,
  };
}

/**
 * One production start of Watchkeeper on its embedded PostgreSQL (`bin/watchkeeper.js start`, no
 * DATABASE_URL): the time from spawning the process to /health/readiness answering 200, and the
 * memory of the process tree once it has been idle for a while.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild, waitForOk } from './processes.ts';
import { treeMemory, type ProcessMemory } from './process-tree.ts';

const BIN = fileURLToPath(new URL('../../bin/watchkeeper.js', import.meta.url));
// Fine enough to time a start that should take a few hundred milliseconds.
const READINESS_POLL_MS = 20;

export interface TimedStart {
  readyMs: number;
  /** The server process and all its descendants (the postmaster and its backends), after the idle wait. */
  processes: ProcessMemory[];
}

export async function timedStart({ dataDir, idleMs }: { dataDir: string; idleMs: number }): Promise<TimedStart> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  try {
    await waitForOk(`http://127.0.0.1:${port}/health/readiness`, child, () => output, 60_000, READINESS_POLL_MS);
    const readyMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    return { readyMs, processes: treeMemory(child.pid!) };
  } finally {
    await stopChild(child);
  }
}

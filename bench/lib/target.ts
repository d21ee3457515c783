/** Starts the checks scenario's target server (target-server.ts) in its own process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, httpRequest, stopChild, waitForOk } from './processes.ts';

const SCRIPT = fileURLToPath(new URL('./target-server.ts', import.meta.url));

export interface TargetStats {
  counts: { ok: number; error500: number; reset: number; hang: number };
  /** Schedule lag of each check since the last reset, in ms, in arrival order. */
  lags: number[];
  services: number;
}

export interface Target {
  url: string;
  pid: number;
  /** The URL of service number `index`. */
  serviceUrl(index: number): string;
  stats(): Promise<TargetStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTarget({ intervalMs }: { intervalMs: number }): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { PATH: process.env.PATH ?? '', TARGET_PORT: String(port), TARGET_INTERVAL_MS: String(intervalMs) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child, () => output, 30_000);
  return {
    url,
    pid: child.pid!,
    serviceUrl: (index) => `${url}/s/${index}`,
    stats: async () => JSON.parse((await httpRequest(`${url}/__stats`)).body) as TargetStats,
    reset: async () => {
      await httpRequest(`${url}/__reset`, { method: 'POST' });
    },
    stop: () => stopChild(child),
  };
}

/** Starts the bare node:http baseline (bare-server.ts) in its own process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild, waitForOk } from './processes.ts';

const SCRIPT = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

export interface Baseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `body`: the bytes themselves, or `{ file }` naming the file that holds them (megabytes do not fit in an environment variable). */
export async function startBareServer({ body, headers }: { body: string | { file: string }; headers: [string, string][] }): Promise<Baseline> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      BARE_PORT: String(port),
      ...(typeof body === 'string' ? { BARE_BODY: body } : { BARE_BODY_FILE: body.file }),
      BARE_HEADERS: JSON.stringify(headers),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child, () => output, 30_000);
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

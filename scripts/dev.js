#!/usr/bin/env node
/**
 * `npm run dev`: the server from its sources, restarted on change (tsx watch, on :8080), and Vite's
 * dev server for the dashboard with hot reload (on :5173, the API proxied to :8080). Stopping
 * this stops both.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

const children = [
  spawn(bin('tsx'), ['watch', '--clear-screen=false', 'server/cli.ts', 'start'], { cwd: ROOT, stdio: 'inherit' }),
  spawn(bin('vite'), ['--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' }),
];
process.stderr.write('dev: the dashboard with hot reload on http://localhost:5173 (API from :8080); the server on http://localhost:8080\n');

let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
};
for (const child of children) child.on('exit', (code) => stop(code ?? 1));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

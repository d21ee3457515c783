#!/usr/bin/env node
// Entry of the `watchkeeper` command: runs the compiled program in dist/. Where the sources and
// the compiler are installed (a checkout after `npm ci`), dist/ is first rebuilt if the sources
// changed, so `npm ci && npm start` needs no separate build step; a production install
// (`npm ci --omit=dev` after `npm run build`) runs dist/ as it was built.
import { buildIfStale } from '../scripts/build.js';

try {
  buildIfStale();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
await import('../dist/server/cli.js');

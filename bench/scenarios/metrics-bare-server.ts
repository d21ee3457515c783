/**
 * The metrics baseline: a bare node:http server answering a pre-rendered exposition (the bytes
 * Watchkeeper's /metrics answered) from a file, run as its own process
 * (`node --import tsx bench/scenarios/metrics-bare-server.ts`). A file, not an environment
 * variable as bench/lib/bare-server.ts takes: 10,000 series are ~700 KB, past Linux's 128 KiB
 * limit on one environment string.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.env.BARE_BODY_FILE!);
const contentType = process.env.BARE_CONTENT_TYPE ?? 'text/plain; version=0.0.4; charset=utf-8';
const server = createServer((_request, response) => {
  response.setHeader('content-type', contentType);
  response.setHeader('content-length', body.length);
  response.end(body);
});
server.listen(Number(process.env.BARE_PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

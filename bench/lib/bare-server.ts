/**
 * The probe baseline: a bare node:http server answering fixed bytes, run as its own process
 * (`node --import tsx bench/lib/bare-server.ts`). BARE_BODY is the body (or BARE_BODY_FILE the file
 * holding it, for bodies larger than an environment variable may be) and BARE_HEADERS a JSON list
 * of [name, value] pairs, copied from Watchkeeper's own answer so both send the same bytes.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = process.env.BARE_BODY_FILE ? readFileSync(process.env.BARE_BODY_FILE) : Buffer.from(process.env.BARE_BODY ?? '{}');
const headers = JSON.parse(process.env.BARE_HEADERS ?? '[]') as [string, string][];
const server = createServer((_request, response) => {
  for (const [name, value] of headers) response.setHeader(name, value);
  response.setHeader('content-length', body.length);
  response.statusCode = 200;
  response.end(body);
});
server.listen(Number(process.env.BARE_PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

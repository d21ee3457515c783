/**
 * The checks scenario's target: one HTTP server standing in for many external services, run as
 * its own process (`node --import tsx bench/lib/target-server.ts`). Each service is a path
 * (`/s/<n>`); each request draws a latency and an outcome from a fixed, seeded spread — most answer
 * in 5–50 ms, a tail reaches ~1 s, ~2% fail (500, a reset connection, or no answer until the
 * checker gives up). It also measures the checker's schedule from outside: for each service, the
 * gap between the end of one check (the answer sent, the connection reset, or the checker hanging
 * up) and the arrival of the next, minus TARGET_INTERVAL_MS, is that check's schedule lag.
 * `GET /__stats` returns the lags and counts since the last `POST /__reset`.
 */
import { createServer, type ServerResponse } from 'node:http';
import { seededRandom } from './seeded-random.ts';

const port = Number(process.env.TARGET_PORT);
const intervalMs = Number(process.env.TARGET_INTERVAL_MS);
// How long an unanswered request is held at most; the checker's own timeout ends it sooner.
const HANG_MS = 30_000;

const random = seededRandom(8);

type Outcome = 'ok' | 'error500' | 'reset' | 'hang';

/** The draw: 98% answer 200 (90% of all in 5–50 ms, 6% 50–300 ms, 2% 300–1,000 ms); 1% 500, 0.5% reset, 0.5% hang. */
function draw(): { outcome: Outcome; delayMs: number } {
  const r = random();
  if (r < 0.01) return { outcome: 'error500', delayMs: 5 + random() * 45 };
  if (r < 0.015) return { outcome: 'reset', delayMs: 5 + random() * 45 };
  if (r < 0.02) return { outcome: 'hang', delayMs: HANG_MS };
  const tail = random();
  const delayMs = tail < 0.9184 ? 5 + random() * 45 : tail < 0.9796 ? 50 + random() * 250 : 300 + random() * 700;
  return { outcome: 'ok', delayMs };
}

let lags: number[] = [];
let counts: Record<Outcome, number> = { ok: 0, error500: 0, reset: 0, hang: 0 };
const lastEnd = new Map<string, number>();

function json(response: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (url === '/__stats') return json(response, { counts, lags, services: lastEnd.size });
  if (url === '/__reset' && request.method === 'POST') {
    lags = [];
    counts = { ok: 0, error500: 0, reset: 0, hang: 0 };
    return json(response, { reset: true });
  }
  if (url === '/') return json(response, { ready: true });
  const arrived = performance.now();
  const previous = lastEnd.get(url);
  if (previous !== undefined) lags.push(arrived - previous - intervalMs);
  const { outcome, delayMs } = draw();
  counts[outcome]++;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    lastEnd.set(url, performance.now());
  };
  // The checker hanging up (its timeout) ends the check as much as an answer does.
  response.once('close', end);
  const timer = setTimeout(() => {
    if (outcome === 'reset') {
      request.socket.destroy();
    } else if (outcome === 'hang') {
      request.socket.destroy();
    } else {
      const body = outcome === 'ok' ? 'ok' : 'failing';
      response.writeHead(outcome === 'ok' ? 200 : 500, { 'content-type': 'text/plain', 'content-length': body.length });
      response.end(body);
    }
    end();
  }, delayMs);
});
server.keepAliveTimeout = 75_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

/**
 * Slow and stalled clients over real HTTP: a request whose headers or body trickle in a byte at a
 * time loses its connection with a 408 once REQUEST_HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS have
 * passed, instead of holding it (and a slot of the server) forever. Normal requests are untouched.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers.ts';

/**
 * Opens a connection, sends `head` and then one byte of `trickle` (if any) every 200 ms, forever; resolves
 * with what the server sent once it closes the connection.
 */
function trickle(port: number, head: string, trickleText: string): Promise<string> {
  return new Promise((resolveClosed) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let index = 0;
    const timer = setInterval(() => {
      if (socket.writable && trickleText) socket.write(trickleText[index++ % trickleText.length]!);
    }, 200);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      resolveClosed(received);
    });
    socket.write(head);
  });
}

describe('slow clients', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await buildTestApp({ env: { REQUEST_TIMEOUT_MS: '1500', REQUEST_HEADERS_TIMEOUT_MS: '1000' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => t.close());

  it('answers 408 and closes the connection of a client whose body trickles in past REQUEST_TIMEOUT_MS', async () => {
    const head = 'POST /setup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const received = await trickle(port, head, '{"email":"slow@example.com"          ');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 408, code: 'WK_ERR_REQUEST_TIMEOUT' });
  }, 30_000);

  it('answers 408 and closes the connection of a client whose headers trickle in past REQUEST_HEADERS_TIMEOUT_MS', async () => {
    const received = await trickle(port, 'GET /health/liveness HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('answers headers over the size limit with 431 problem+json', async () => {
    const received = await trickle(port, `GET /health/liveness HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, '');
    expect(received).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'WK_ERR_HEADERS_TOO_LARGE' });
  });

  it('answers bytes that are not HTTP with 400 problem+json', async () => {
    const received = await trickle(port, 'HELLO\r\n\r\n', '');
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'WK_ERR_BAD_REQUEST' });
  });

  it('serves a normal request', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health/liveness`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'pass' });
  });

  it('does not cut a request that arrived in time but takes longer than REQUEST_TIMEOUT_MS to answer', async () => {
    // The deadline is for the request to arrive; the answer to GET /setup waits on a table lock.
    const admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const answer = fetch(`http://127.0.0.1:${port}/setup`);
      await sleep(3_000); // past REQUEST_TIMEOUT_MS and a check of the deadlines
      await admin.query('ROLLBACK');
      expect((await answer).status).toBe(200);
    } finally {
      await admin.end();
    }
  }, 30_000);
});

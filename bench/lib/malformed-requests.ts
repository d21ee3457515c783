/**
 * The side client of the stress scenario: malformed and oversized requests sent over raw sockets
 * (what a broken or hostile client sends, which an HTTP library would refuse to), one after
 * another while the ramp runs, plus a few slowloris connections that trickle their headers. Each
 * answer is counted by kind and status; a 5xx other than a shedding 503 with Retry-After is a
 * violation (issue 8: bad input gets a 4xx, never a 5xx).
 */
import { connect, type Socket } from 'node:net';

/** POST /api/auth/login: public, so the body is parsed and validated before any credential check. */
const LOGIN = 'POST /api/auth/login HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n';

function post(contentType: string, body: Buffer | string, contentLength = Buffer.byteLength(body)): Buffer {
  return Buffer.concat([Buffer.from(`${LOGIN}Content-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\n\r\n`), Buffer.from(body)]);
}

export const malformedKinds: Record<string, (bodyLimitBytes: number) => Buffer> = {
  'bad JSON': () => post('application/json', '{"email": "a@example.com", "password": '),
  'wrong content-type': () => post('text/plain', 'email=a@example.com'),
  'body over the limit': (limit) => post('application/json', `{"email":"${'a'.repeat(limit + 1024)}"}`),
  'headers too large': () => Buffer.from(`GET /api/services HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
  'invalid UTF-8 in JSON': () =>
    post('application/json', Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('@example.com","password":"x"}')])),
  'NUL in JSON': () => post('application/json', '{"email":"a\\u0000@example.com","password":"\\u0000"}'),
  'NUL in the request line': () => Buffer.from('GET /api/\x00services HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'),
};

export interface MalformedCounts {
  /** kind → status ("400", "closed" when the server hung up without an answer) → count. */
  byKind: Record<string, Record<string, number>>;
  /** Answers ≥ 500 other than 503 with Retry-After. */
  violations: number;
}

interface Answer {
  status: string;
  retryAfter: boolean;
}

/** Sends `bytes` on a new connection; resolves with the status line's code once the headers arrive. */
function exchange(port: number, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (answer: Answer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ status: 'no answer', retryAfter: false }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 'unparseable';
      finish({ status, retryAfter: /\r\nretry-after: *\d+/i.test(received.slice(0, end)) });
    });
    // The server may answer (413, 431) and close before the whole request is written.
    socket.on('error', () => undefined);
    socket.on('close', () => finish({ status: received ? 'unparseable' : 'closed', retryAfter: false }));
    socket.write(bytes);
  });
}

/** A connection that sends a request line and then one header byte a second until the server closes it. */
function slowloris(port: number, stopped: () => boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setInterval(() => {
      if (stopped()) {
        clearInterval(timer);
        socket.destroy();
        resolve({ status: 'held until the end', retryAfter: false });
      } else if (socket.writable) socket.write('a');
    }, 1_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 'closed', retryAfter: /\r\nretry-after:/i.test(received) });
    });
    socket.write('GET /api/services HTTP/1.1\r\nHost: bench\r\nX-Slow: ');
  });
}

export interface MalformedClient {
  /** Stops sending and resolves with everything counted. */
  stop(): Promise<MalformedCounts>;
}

export function startMalformedClient({
  port,
  bodyLimitBytes = 1_048_576,
  pauseMs = 50,
  slowConnections = 4,
  timeoutMs = 15_000,
}: {
  port: number;
  bodyLimitBytes?: number;
  pauseMs?: number;
  slowConnections?: number;
  timeoutMs?: number;
}): MalformedClient {
  const counts: MalformedCounts = { byKind: {}, violations: 0 };
  const count = (kind: string, { status, retryAfter }: Answer) => {
    const statuses = (counts.byKind[kind] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (Number(status) >= 500 && !(status === '503' && retryAfter)) counts.violations++;
  };
  let stopping = false;
  const kinds = Object.entries(malformedKinds).map(([kind, build]) => [kind, build(bodyLimitBytes)] as const);
  const sending = (async () => {
    for (let i = 0; !stopping; i++) {
      const [kind, bytes] = kinds[i % kinds.length]!;
      count(kind, await exchange(port, bytes, timeoutMs));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  const slow = Array.from({ length: slowConnections }, async () => {
    // Each slowloris connection is replaced when the server closes it, until the end.
    while (!stopping) count('slowloris (headers a byte a second)', await slowloris(port, () => stopping));
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all([sending, ...slow]);
      return counts;
    },
  };
}

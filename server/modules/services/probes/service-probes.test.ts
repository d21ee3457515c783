import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpServiceSchema, tcpServiceSchema } from '../../../../contracts/services.ts';
import { createHttpServiceProbe } from './http-service-probe.ts';
import { createTcpServiceProbe } from './tcp-service-probe.ts';

const servers: Array<{ close(): void; closeAllConnections?: () => void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.();
    server.close();
  }
});

async function httpServer(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ url: string; requests: Array<{ method?: string; authorization?: string }> }> {
  const requests: Array<{ method?: string; authorization?: string }> = [];
  const server: HttpServer = createHttpServer((request, response) => {
    requests.push({ method: request.method, authorization: request.headers.authorization });
    handler!(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const signal = () => new AbortController().signal;

describe('HTTP service probe', () => {
  it('passes on an expected status and reports the status code and latency', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(204).end());
    const probe = createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url, expectedStatus: [200, 204] }));
    const result = await probe.check({ signal: signal() });
    expect(result.status).toBe('pass');
    expect(result.measurements).toEqual([
      { name: 'statusCode', observedValue: 204, status: 'pass' },
      { name: 'latency', observedValue: expect.any(Number), observedUnit: 'ms', status: 'pass' },
    ]);
    expect(probe).toMatchObject({ componentType: 'external', componentId: `GET ${url}/`, critical: false });
  });

  it('fails on an unexpected status, naming it', async () => {
    const { url } = await httpServer((_req, res) => res.writeHead(500).end('boom'));
    const result = await createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url })).check({ signal: signal() });
    expect(result).toMatchObject({ status: 'fail', output: 'HTTP 500, expected 200' });
  });

  it('does not follow redirects: a 302 is the answer', async () => {
    const { url, requests } = await httpServer((req, res) =>
      req.url === '/' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.writeHead(200).end(),
    );
    const result = await createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url })).check({ signal: signal() });
    expect(result).toMatchObject({ status: 'fail', output: 'HTTP 302, expected 200' });
    expect(requests).toHaveLength(1);
  });

  it('uses the configured method and sends URL credentials as Basic authorization', async () => {
    const { url, requests } = await httpServer((_req, res) => res.writeHead(200).end());
    const withCredentials = url.replace('http://', 'http://user:s%40cret@');
    const probe = createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url: `${withCredentials}/status?token=x`, method: 'HEAD' }));
    expect((await probe.check({ signal: signal() })).status).toBe('pass');
    expect(requests[0]).toEqual({ method: 'HEAD', authorization: `Basic ${Buffer.from('user:s@cret').toString('base64')}` });
    expect(probe.componentId).toBe(`HEAD ${url}/status`);
  });

  it('fails with the connection error when nothing listens', async () => {
    const port = await closedPort();
    const probe = createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url: `http://127.0.0.1:${port}/` }));
    await expect(probe.check({ signal: signal() })).rejects.toThrow(`fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('gives up when its signal aborts', async () => {
    const { url } = await httpServer(() => undefined); // accepts and never answers
    const controller = new AbortController();
    const check = createHttpServiceProbe(httpServiceSchema.parse({ name: 'api', type: 'http', url })).check({ signal: controller.signal });
    controller.abort(new Error('check timed out after 200 ms'));
    await expect(check).rejects.toThrow('check timed out after 200 ms');
  });
});

describe('TCP service probe', () => {
  it('passes when the port accepts a connection', async () => {
    const server = createTcpServer((socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const probe = createTcpServiceProbe(tcpServiceSchema.parse({ name: 'queue', type: 'tcp', host: '127.0.0.1', port }));
    expect(await probe.check({ signal: signal() })).toMatchObject({ status: 'pass', measurements: [{ name: 'latency', observedUnit: 'ms' }] });
    expect(probe.componentId).toBe(`127.0.0.1:${port}`);
  });

  it('fails with the error when the port is closed', async () => {
    const port = await closedPort();
    const probe = createTcpServiceProbe(tcpServiceSchema.parse({ name: 'queue', type: 'tcp', host: '127.0.0.1', port }));
    await expect(probe.check({ signal: signal() })).rejects.toThrow(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('rejects at once when its signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('check timed out after 100 ms'));
    const probe = createTcpServiceProbe(tcpServiceSchema.parse({ name: 'queue', type: 'tcp', host: '127.0.0.1', port: 9 }));
    await expect(probe.check({ signal: controller.signal })).rejects.toThrow('check timed out after 100 ms');
  });
});

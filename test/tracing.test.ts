/**
 * OpenTelemetry tracing of the real `watchkeeper start`, exported over OTLP/HTTP to a collector
 * played by a local server that records what it is sent; and, with no endpoint, nothing of
 * OpenTelemetry loaded at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closedPort, startFakeService, type FakeService } from './fake-services.ts';
import { createTestDatabase, testRedisUrl, uniqueName, type TestDatabase } from './helpers.ts';

const bin = fileURLToPath(new URL('../bin/watchkeeper.js', import.meta.url));
const recordImports = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));

/** A span as OTLP/JSON carries it, with its attributes flattened to values. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}
const SPAN_KIND = { server: 2, client: 3 } as const;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ scope?: { name: string }; spans?: Array<Omit<ReceivedSpan, 'scope' | 'attributes'> & { attributes?: OtlpAttribute[] }> }>;
  }>;
}

function flatten(attributes: OtlpAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** The collector: accepts OTLP/HTTP exports on /v1/traces, keeps every request, and the spans of the JSON ones. */
interface Collector {
  endpoint: string;
  port: number;
  spans: ReceivedSpan[];
  resources: Array<Record<string, unknown>>;
  requests: Array<{ path: string; contentType: string | undefined; authorization: string | undefined; body: Buffer }>;
  /** Accept exports but never answer them, as a collector that has hung. */
  hang: boolean;
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = request.headers['content-type'];
      collector.requests.push({ path: request.url ?? '', contentType, authorization: request.headers.authorization, body });
      if (collector.hang) return;
      if (contentType !== 'application/json') {
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // an empty ExportTraceServiceResponse
        return;
      }
      const received = JSON.parse(body.toString()) as OtlpExport;
      for (const resourceSpans of received.resourceSpans ?? []) {
        collector.resources.push(flatten(resourceSpans.resource?.attributes));
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            collector.spans.push({ ...span, scope: scopeSpans.scope?.name ?? '', attributes: flatten(span.attributes) });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const collector: Collector = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    spans: [],
    resources: [],
    requests: [],
    hang: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return collector;
}

interface RunningWatchkeeper {
  port: number;
  child: ChildProcess;
  /** stdout so far, one parsed JSON line each. */
  logLines(): Array<Record<string, unknown>>;
  /** The URLs of the modules the process imported (test/record-imports.mjs). */
  imports(): string[];
  /** SIGTERM; resolves the exit code. */
  stop(): Promise<{ code: number | null }>;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
// A failed assertion must not leave a server running.
const children: ChildProcess[] = [];
afterAll(() => children.filter((child) => child.exitCode === null).forEach((child) => child.kill('SIGKILL')));

function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

async function startWatchkeeper(env: Record<string, string>, { configFile }: { configFile?: string } = {}): Promise<RunningWatchkeeper> {
  const cwd = mkdtempSync(join(tmpdir(), 'wk-tracing-'));
  dirs.push(cwd);
  if (configFile) writeFileSync(join(cwd, 'watchkeeper.yaml'), configFile);
  const importLog = join(cwd, 'imports.log');
  writeFileSync(importLog, '');
  const port = await closedPort();
  const child = spawn(process.execPath, ['--import', recordImports, bin, 'start'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? cwd,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: join(cwd, 'data'),
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      WK_IMPORT_LOG: importLog,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await vi.waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`watchkeeper exited with ${child.exitCode}: ${stdout}${stderr}`);
        expect(await httpGet(port, '/health/readiness')).toBe(200);
      },
      { timeout: 60_000, interval: 200 },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    child,
    logLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    imports: () => readFileSync(importLog, 'utf8').split('\n').filter(Boolean),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return { code: await exited };
    },
  };
}

/** A status-page slug no organization has: lowercase letters, digits and dashes. */
function unknownSlug(prefix: string): string {
  return uniqueName(prefix).toLowerCase().replaceAll('_', '-');
}

const redisUrl = testRedisUrl();
let database: TestDatabase;
let collector: Collector;
beforeAll(async () => {
  database = await createTestDatabase();
  collector = await startCollector();
});
afterAll(async () => {
  await collector?.close();
  await database?.drop();
});

describe('tracing, with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let watchkeeper: RunningWatchkeeper;
  let checked: FakeService;
  const requestId = uniqueName('traced');

  beforeAll(async () => {
    checked = await startFakeService(200);
    watchkeeper = await startWatchkeeper(
      {
        DATABASE_URL: database.url,
        ...(redisUrl && { REDIS_URL: redisUrl }),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-token',
        OTEL_SERVICE_NAME: 'watchkeeper-under-test',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        HEALTH_INTERVAL_MS: '1000',
      },
      { configFile: `services:\n  - name: checked-api\n    type: http\n    url: ${checked.url}?token=s3cret-probe-token\n` },
    );
    // A route with a parameter, which reads PostgreSQL (and, with Redis, counts the request's rate limit there).
    expect(await httpGet(watchkeeper.port, `/api/public/status/${unknownSlug('no-such-page')}`, { 'x-request-id': requestId })).toBe(404);
  }, 90_000);
  afterAll(async () => {
    await watchkeeper?.stop();
    await checked?.close();
  });

  function serverSpan(): ReceivedSpan | undefined {
    return collector.spans.find((span) => span.kind === SPAN_KIND.server && span.name === 'GET /api/public/status/:slug');
  }

  it('loads the SDK, and posts OTLP/JSON to /v1/traces with OTEL_EXPORTER_OTLP_HEADERS, under OTEL_SERVICE_NAME', async () => {
    await vi.waitFor(() => expect(serverSpan()).toBeDefined(), { timeout: 10_000 });
    expect(watchkeeper.imports().some((url) => url.includes('/@opentelemetry/sdk-trace-node/'))).toBe(true);
    expect(collector.requests[0]).toMatchObject({ path: '/v1/traces', contentType: 'application/json', authorization: 'Bearer collector-token' });
    expect(collector.resources[0]).toMatchObject({ 'service.name': 'watchkeeper-under-test', 'service.version': expect.any(String) });
  });

  it('exports a SERVER span named by the method and the route template, never the raw URL', async () => {
    await vi.waitFor(() => expect(serverSpan()).toBeDefined(), { timeout: 10_000 });
    expect(serverSpan()?.attributes).toMatchObject({ 'http.route': '/api/public/status/:slug', 'http.response.status_code': 404 });
    expect(collector.spans.filter((span) => span.kind === SPAN_KIND.server).map((span) => span.name)).not.toContainEqual(
      expect.stringContaining('no-such-page'),
    );
  });

  it('exports the PostgreSQL queries of the request as its children, in the same trace', async () => {
    await vi.waitFor(() => expect(serverSpan()).toBeDefined(), { timeout: 10_000 });
    const request = serverSpan()!;
    const queries = collector.spans.filter((span) => span.traceId === request.traceId && span.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query).toMatchObject({ kind: SPAN_KIND.client, parentSpanId: request.spanId });
      // The stable semantic conventions name it db.system.name; older ones db.system.
      expect(query.attributes['db.system.name'] ?? query.attributes['db.system']).toBe('postgresql');
    }
  });

  it.skipIf(!redisUrl)('exports the Redis commands of the request, naming the command only', async () => {
    await vi.waitFor(() => expect(serverSpan()).toBeDefined(), { timeout: 10_000 });
    const request = serverSpan()!;
    const commands = collector.spans.filter((span) => span.traceId === request.traceId && span.scope === '@opentelemetry/instrumentation-ioredis');
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      expect(command).toMatchObject({ kind: SPAN_KIND.client, parentSpanId: request.spanId });
      expect(command.attributes['db.system.name'] ?? command.attributes['db.system']).toBe('redis');
      // Arguments carry cached sessions and keys naming clients: only the command is kept.
      expect(command.attributes['db.query.text'] ?? command.attributes['db.statement']).toBe(command.name);
    }
  });

  it('writes the trace and span ids of the request into its log lines', async () => {
    await vi.waitFor(() => expect(serverSpan()).toBeDefined(), { timeout: 10_000 });
    const request = serverSpan()!;
    const lines = watchkeeper.logLines().filter((line) => line.requestId === requestId);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    for (const line of lines) expect(line).toMatchObject({ trace_id: request.traceId, span_id: request.spanId, trace_flags: '01' });
  });

  it('exports the outgoing request of an HTTP check, the values of its query redacted', async () => {
    await vi.waitFor(
      () =>
        expect(collector.spans.find((span) => span.kind === SPAN_KIND.client && span.attributes['url.full'] === `${checked.url}?token=REDACTED`)).toBeDefined(),
      { timeout: 15_000 },
    );
    expect(JSON.stringify(collector.spans)).not.toContain('s3cret-probe-token');
  });

  it('continues the trace of a caller that sends traceparent', async () => {
    const marker = unknownSlug('continued');
    await httpGet(watchkeeper.port, `/api/public/status/${marker}`, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await vi.waitFor(
      () =>
        expect(collector.spans.find((span) => span.attributes['url.path'] === `/api/public/status/${marker}`)).toMatchObject({
          traceId: '0af7651916cd43dd8448eb211c80319c',
          parentSpanId: 'b7ad6b7169203331',
        }),
      { timeout: 10_000 },
    );
  });

  it('traces neither the probes and scrapes nor its own exports', async () => {
    expect(await httpGet(watchkeeper.port, '/health/liveness')).toBe(200);
    await httpGet(watchkeeper.port, '/metrics');
    const marker = unknownSlug('after-probes');
    await httpGet(watchkeeper.port, `/api/public/status/${marker}`);
    // Spans are exported in the order they end: once this one has arrived, the probes' would have too.
    await vi.waitFor(() => expect(collector.spans.some((span) => span.attributes['url.path'] === `/api/public/status/${marker}`)).toBe(true), {
      timeout: 10_000,
    });
    const paths = collector.spans.filter((span) => span.kind === SPAN_KIND.server).map((span) => span.attributes['url.path']);
    expect(paths).not.toContain('/health/readiness');
    expect(paths).not.toContain('/health/liveness');
    expect(paths).not.toContain('/metrics');
    expect(collector.spans.filter((span) => span.attributes['server.port'] === collector.port)).toEqual([]);
  });

  it('exports the last spans on SIGTERM and exits 0', async () => {
    const marker = unknownSlug('last-request');
    await httpGet(watchkeeper.port, `/api/public/status/${marker}`);
    const { code } = await watchkeeper.stop();
    expect(code).toBe(0);
    expect(collector.spans.some((span) => span.attributes['url.path'] === `/api/public/status/${marker}`)).toBe(true);
  });
});

describe('tracing, with the protocol left to its default', () => {
  it('posts OTLP/protobuf to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is given', async () => {
    const protobuf = await startCollector();
    try {
      const watchkeeper = await startWatchkeeper({
        DATABASE_URL: database.url,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${protobuf.endpoint}/custom/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      });
      await httpGet(watchkeeper.port, `/api/public/status/${unknownSlug('protobuf')}`);
      expect((await watchkeeper.stop()).code).toBe(0);
      expect(protobuf.requests.length).toBeGreaterThan(0);
      expect(protobuf.requests.every(({ path, contentType }) => path === '/custom/traces' && contentType === 'application/x-protobuf')).toBe(true);
      // Protobuf writes strings as their bytes: the route-named span is in there.
      expect(Buffer.concat(protobuf.requests.map(({ body }) => body)).includes('GET /api/public/status/:slug')).toBe(true);
    } finally {
      await protobuf.close();
    }
  }, 90_000);
});

describe('tracing, with a collector that does not answer', () => {
  // Bounded without timing it: unbounded, the export would outlast SHUTDOWN_TIMEOUT_MS and the
  // forced shutdown would exit 1 (or the process would never exit and the test time out).
  it('gives up on the last export before the shutdown deadline, and exits 0 saying the spans were not exported', async () => {
    const hung = await startCollector();
    hung.hang = true;
    try {
      const watchkeeper = await startWatchkeeper({
        DATABASE_URL: database.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: hung.endpoint,
        // Nothing is sent before the shutdown: its export is the one that finds the collector hung.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      await httpGet(watchkeeper.port, `/api/public/status/${unknownSlug('unexported')}`);
      const { code } = await watchkeeper.stop();
      expect(code).toBe(0);
      expect(hung.requests.length).toBeGreaterThan(0);
      expect(watchkeeper.logLines().map((line) => line.msg)).toContainEqual(expect.stringMatching(/^tracing: spans not exported/));
    } finally {
      await hung.close();
    }
  }, 90_000);
});

describe('tracing, off', () => {
  it.each([
    ['no OTLP endpoint is set', {}],
    ['OTEL_SDK_DISABLED is true', { OTEL_SDK_DISABLED: 'true' }],
  ])(
    'loads no OpenTelemetry module, exports nothing and logs no trace ids when %s',
    async (_case, env: Record<string, string>) => {
      const exportsBefore = collector.requests.length;
      const watchkeeper = await startWatchkeeper({
        DATABASE_URL: database.url,
        ...(redisUrl && { REDIS_URL: redisUrl }),
        ...('OTEL_SDK_DISABLED' in env && { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }),
        OTEL_BSP_SCHEDULE_DELAY: '100',
        ...env,
      });
      const requestId = uniqueName('untraced');
      expect(await httpGet(watchkeeper.port, `/api/public/status/${unknownSlug('no-such-page')}`, { 'x-request-id': requestId })).toBe(404);
      const { code } = await watchkeeper.stop();
      expect(code).toBe(0);

      expect(watchkeeper.imports().filter((url) => url.includes('@opentelemetry'))).toEqual([]);
      expect(watchkeeper.imports().some((url) => url.includes('/node_modules/pg/'))).toBe(true); // the record works
      expect(collector.requests.length).toBe(exportsBefore);
      const lines = watchkeeper.logLines().filter((line) => line.requestId === requestId);
      expect(lines.length).toBe(2);
      for (const line of lines) expect(line).not.toHaveProperty('trace_id');
    },
    90_000,
  );
});

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache } from '../server/infra/cache/index.ts';
import { postgresTls } from '../server/infra/database/database-plugin.ts';
import { DevCertificateExistsError, generateDevCertificate, type DevCertificate } from '../server/platform/security/tls/dev-cert.ts';
import { startRedirectServer } from '../server/platform/security/tls/redirect-server.ts';
import { serverOptions } from '../server/app.ts';
import { buildTestApp, createTestConfig, type TestApp } from './helpers.ts';

function httpsGet(
  port: number,
  path: string,
  ca: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; protocol: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (response) => {
      const protocol = (response.socket as TLSSocket).getProtocol();
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, protocol, body }));
    });
    request.on('error', reject).end();
  });
}

/** Resolves with the negotiated protocol, or rejects with the handshake error. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

describe('HTTPS listener', () => {
  let dir: string;
  let cert: DevCertificate;
  let ca: Buffer;
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchkeeper-tls-'));
    cert = await generateDevCertificate({ dataDir: dir });
    ca = readFileSync(cert.certFile);
    t = await buildTestApp({ env: { TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves over TLS with the dev certificate, verified against it as the CA', async () => {
    const response = await httpsGet(port, '/docs/json', ca);
    expect(response.status).toBe(200);
    expect(response.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(JSON.parse(response.body)).toHaveProperty('openapi');
  });

  it('sends HSTS over HTTPS', async () => {
    expect((await httpsGet(port, '/docs/json', ca)).headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('refuses TLS 1.1 and 1.0', async () => {
    for (const version of ['TLSv1.1', 'TLSv1'] as const) {
      // SECLEVEL=0 lets this client offer the old protocol at all: the refusal must be the server's.
      await expect(handshake(port, { ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toMatchObject({
        code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      });
    }
  });

  it('accepts TLS 1.2 only with forward-secret AEAD suites', async () => {
    const modern = await handshake(port, { ca, maxVersion: 'TLSv1.2' });
    expect(modern.protocol).toBe('TLSv1.2');
    expect(modern.cipher).toMatch(/^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
    await expect(handshake(port, { ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' })).rejects.toThrow(
      /handshake failure|no shared cipher/i,
    );
  });

  it('refuses to start with only one of TLS_CERT_FILE and TLS_KEY_FILE', () => {
    expect(() => serverOptions(createTestConfig({ env: { TLS_CERT_FILE: cert.certFile } }), false)).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE/);
  });
});

describe('HTTP to HTTPS redirect listener', () => {
  let redirect: Awaited<ReturnType<typeof startRedirectServer>>;
  let port: number;
  beforeAll(async () => {
    redirect = await startRedirectServer({ port: 0, host: '127.0.0.1', httpsPort: 8443 });
    port = (redirect.server.address() as { port: number }).port;
  });
  afterAll(() => redirect.close());

  const fetchRaw = (path: string, host: string) =>
    new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode!, location: response.headers.location });
      }).on('error', reject);
    });

  it('redirects with 308, keeping host, path and query', async () => {
    expect(await fetchRaw('/api/services?limit=5', 'watchkeeper.example:8080')).toEqual({
      status: 308,
      location: 'https://watchkeeper.example:8443/api/services?limit=5',
    });
    expect(await fetchRaw('/', '[::1]:80')).toEqual({ status: 308, location: 'https://[::1]:8443/' });
  });

  it('refuses a Host header that is not a host name', async () => {
    expect((await fetchRaw('/', 'evil.example/path@x')).status).toBe(400);
  });
});

describe('watchkeeper tls dev-cert', () => {
  it('writes the certificate and a key only its owner can read, and will not overwrite them unasked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchkeeper-devcert-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/watchkeeper.js', 'tls', 'dev-cert', '--host', 'localhost', '--host', '192.0.2.10'], {
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' },
      });
      expect(stdout).toContain(`TLS_CERT_FILE=${join(dir, 'tls', 'dev-cert.pem')}`);
      expect(statSync(join(dir, 'tls', 'dev-key.pem')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'tls', 'dev-cert.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      await expect(generateDevCertificate({ dataDir: dir })).rejects.toBeInstanceOf(DevCertificateExistsError);
      await expect(generateDevCertificate({ dataDir: dir, force: true })).resolves.toMatchObject({ hosts: ['localhost', '127.0.0.1', '::1'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL TLS options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchkeeper-pgtls-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, 'CA PEM');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the URL to pg when no CA file is set', () => {
    expect(postgresTls('postgres://u@db:5432/wk?sslmode=require', undefined)).toEqual({ connectionString: 'postgres://u@db:5432/wk?sslmode=require' });
  });

  it('requires TLS verified against the CA, host name included, by default', () => {
    const options = postgresTls('postgres://u@db:5432/wk?application_name=x', caFile);
    expect(options.connectionString).toBe('postgres://u@db:5432/wk?application_name=x');
    expect(options.ssl).toEqual({ ca: 'CA PEM', rejectUnauthorized: true });
  });

  it('keeps sslmode from DATABASE_URL: verify-ca skips the host name, disable turns TLS off', () => {
    const verifyCa = postgresTls('postgres://u@db/wk?sslmode=verify-ca', caFile);
    expect(verifyCa.connectionString).toBe('postgres://u@db/wk');
    expect(verifyCa.ssl).toMatchObject({ ca: 'CA PEM', rejectUnauthorized: true, checkServerIdentity: expect.any(Function) });
    expect(postgresTls('postgres://u@db/wk?sslmode=disable', caFile).ssl).toBe(false);
  });
});

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!hasRedisServer())('Redis over TLS (needs the redis-server binary)', () => {
  let dir: string;
  let cert: DevCertificate;
  let redis: ChildProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchkeeper-redis-tls-'));
    cert = await generateDevCertificate({ dataDir: dir });
    const port = await freePort();
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        cert.certFile,
        '--tls-key-file',
        cert.keyFile,
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    url = `rediss://localhost:${port}`;
  });
  afterAll(async () => {
    if (redis && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects to rediss:// verifying the server against REDIS_TLS_CA_FILE', async () => {
    const cache = createRedisCache({ url, keyPrefix: 'wk_tls_test:', logger: pino({ level: 'silent' }), tlsCaFile: cert.certFile });
    try {
      await expect.poll(() => cache.ready(1_000), { timeout: 15_000 }).toBe(true);
      await cache.set('greeting', 'over tls');
      expect(await cache.get('greeting')).toBe('over tls');
    } finally {
      await cache.close();
    }
  });

  it('does not connect when the server certificate is not trusted', async () => {
    const cache = createRedisCache({ url, keyPrefix: 'wk_tls_test:', logger: pino({ level: 'silent' }) });
    try {
      expect(await cache.ready(2_000)).toBe(false);
    } finally {
      await cache.close();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './load-config.ts';

const dirs: string[] = [];
function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wk-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Loads with only the given environment, from a directory without a config file. */
function load(env: Record<string, string> = {}, cwd = emptyDir()) {
  return loadConfig({ env, cwd });
}

function loadError(env: Record<string, string>, cwd?: string): ConfigError {
  try {
    load(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives the laptop defaults with nothing set', () => {
    const config = load();
    expect(config.server).toMatchObject({ port: 8080, host: 'localhost', logLevel: 'info', shutdownTimeoutMs: 10_000, serviceId: 'watchkeeper' });
    expect(config.storage.dataDir).toBe('./data');
    expect(config.database.url).toBeUndefined();
    expect(config.cache.redisUrl).toBeUndefined();
    expect(config.health).toMatchObject({
      intervalMs: 15_000,
      timeoutMs: 5_000,
      eventLoopStallMs: 5_000,
      degradationFactor: 3,
      recoveryAfterFailures: 3,
      historyEnabled: true,
    });
    expect(config.services).toEqual([]);
    expect(config.configFile).toBeUndefined();
  });

  it('reads typed values from the environment', () => {
    const config = load({
      PORT: '9000',
      HEALTH_DEGRADATION_FACTOR: '2.5',
      HEALTH_HISTORY_ENABLED: 'no',
      DATABASE_URL: 'postgresql://wk@db:5432/wk',
      REDIS_URL: 'rediss://cache:6380',
    });
    expect(config.server.port).toBe(9000);
    expect(config.health.degradationFactor).toBe(2.5);
    expect(config.health.historyEnabled).toBe(false);
    expect(config.database.url).toBe('postgresql://wk@db:5432/wk');
    expect(config.cache.redisUrl).toBe('rediss://cache:6380');
  });

  it('treats an empty variable as unset', () => {
    expect(load({ PORT: '', DATABASE_URL: '' })).toMatchObject({ server: { port: 8080 }, database: { url: undefined } });
  });

  describe('a bad value', () => {
    it('stops start-up with one line naming the variable and the value', () => {
      const error = loadError({ PORT: 'eighty' });
      expect(error.message).toMatch(/^Invalid configuration: PORT: .+ \(got "eighty"\)$/);
      expect(error.message).not.toContain('\n');
    });

    it.each([
      ['PORT', '70000'],
      ['SHUTDOWN_TIMEOUT_MS', '0'],
      ['HEALTH_TIMEOUT_MS', '-5'],
      ['HEALTH_DEGRADATION_FACTOR', '0.5'],
      ['HEALTH_MEMORY_WARN_PERCENT', '120'],
      ['HEALTH_HISTORY_ENABLED', 'maybe'],
      ['LOG_LEVEL', 'verbose'],
      ['REDIS_URL', 'http://cache:6379'],
    ])('names %s when it is %s', (name, value) => {
      const error = loadError({ [name]: value });
      expect(error.message.startsWith(`Invalid configuration: ${name}: `)).toBe(true);
      expect(error.message).not.toContain('\n');
    });

    it('reports every bad value at once, still on one line', () => {
      const error = loadError({ PORT: 'x', HEALTH_INTERVAL_MS: 'soon' });
      expect(error.message).toMatch(/PORT: .* \| HEALTH_INTERVAL_MS: /);
      expect(error.message).not.toContain('\n');
    });

    it("never prints a secret's value", () => {
      const error = loadError({ DATABASE_URL: 'mysql://admin:hunter2@db/wk' });
      expect(error.message).toBe('Invalid configuration: DATABASE_URL: must be a URL starting with postgres:// or postgresql:// (got (hidden))');
      expect(error.message).not.toContain('hunter2');
    });
  });

  describe('the config file', () => {
    it('is read from the working directory, the environment winning over it', () => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'watchkeeper.yaml'), 'server:\n  port: 7000\n  serviceId: from-file\nhealth:\n  intervalMs: 1000\n');
      const config = load({ PORT: '7001' }, dir);
      expect(config.configFile).toBe(join(dir, 'watchkeeper.yaml'));
      expect(config.server).toMatchObject({ port: 7001, serviceId: 'from-file' });
      expect(config.health.intervalMs).toBe(1000);
    });

    it('is the one WATCHKEEPER_CONFIG names, JSON being YAML too', () => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'elsewhere.json'), JSON.stringify({ server: { port: 7100 } }));
      expect(load({ WATCHKEEPER_CONFIG: 'elsewhere.json' }, dir).server.port).toBe(7100);
    });

    it('names the setting path and the file for a bad value in it', () => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'watchkeeper.yaml'), 'server:\n  port: lots\n');
      expect(loadError({}, dir).message).toBe(
        `Invalid configuration: server.port in ${join(dir, 'watchkeeper.yaml')}: Invalid input: expected number, received NaN (got "lots")`,
      );
    });

    it('refuses a missing WATCHKEEPER_CONFIG file, invalid YAML and a non-object document', () => {
      const dir = emptyDir();
      expect(loadError({ WATCHKEEPER_CONFIG: 'nope.yaml' }, dir).message).toMatch(/^WATCHKEEPER_CONFIG: file .*nope\.yaml does not exist$/);
      writeFileSync(join(dir, 'watchkeeper.yaml'), 'server: [unclosed\n');
      expect(loadError({}, dir).message).toMatch(/^WATCHKEEPER_CONFIG: .*watchkeeper\.yaml is not valid YAML\/JSON/);
      writeFileSync(join(dir, 'watchkeeper.yaml'), '- a\n- b\n');
      expect(loadError({}, dir).message).toMatch(/must contain an object at the top level$/);
    });

    it('accepts an empty file', () => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'watchkeeper.yaml'), '');
      expect(load({}, dir).server.port).toBe(8080);
    });

    it('validates the services it declares', () => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'watchkeeper.yaml'), 'services:\n  - name: Bad Name\n    type: tcp\n    host: db\n    port: 5432\n');
      const error = loadError({}, dir);
      expect(error.message).toMatch(/^Invalid configuration: services\.0\.name in .*watchkeeper\.yaml: /);
    });

    it('reads the metrics it declares, and names the one that breaks a rule or comes twice', () => {
      const dir = emptyDir();
      const file = join(dir, 'watchkeeper.yaml');
      writeFileSync(file, 'declaredMetrics:\n  - name: jobs_total\n    type: counter\n    labels:\n      - name: queue\n        maxValues: 10\n');
      expect(load({}, dir).declaredMetrics).toEqual([{ name: 'jobs_total', type: 'counter', help: '', labels: [{ name: 'queue', maxValues: 10 }] }]);
      writeFileSync(file, 'declaredMetrics:\n  - name: jobs_total\n    type: gauge\n    buckets: [1]\n  - name: jobs_total\n    type: counter\n');
      const error = loadError({}, dir);
      expect(error.message).toMatch(/declaredMetrics\.0\.buckets in .*watchkeeper\.yaml: only a histogram has buckets/);
      expect(error.message).toMatch(/declaredMetrics\.1\.name in .*: jobs_total is declared twice/);
    });
  });
});

describe('the OpenTelemetry settings', () => {
  it('leave tracing off, with the specification’s defaults for the rest', () => {
    expect(load().tracing).toEqual({
      otlpEndpoint: undefined,
      otlpTracesEndpoint: undefined,
      otlpProtocol: 'http/protobuf',
      otlpTracesProtocol: undefined,
      otlpHeaders: undefined,
      serviceName: 'watchkeeper',
      sampler: 'parentbased_always_on',
      samplerArg: 1,
      sdkDisabled: false,
    });
  });

  it('refuse gRPC, an unknown sampler and a ratio above 1, naming each variable', () => {
    const { message } = loadError({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' });
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json \(gRPC is not supported\)/);
    expect(message).toContain('OTEL_TRACES_SAMPLER:');
    expect(message).toContain('OTEL_TRACES_SAMPLER_ARG:');
  });

  it('refuse headers that are not key=value pairs, without printing them', () => {
    const { message } = loadError({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cret' });
    expect(message).toMatch(/^Invalid configuration: OTEL_EXPORTER_OTLP_HEADERS: .+ \(got \(hidden\)\)$/);
  });
});

describe('describeConfig', () => {
  const row = (rows: ReturnType<typeof describeConfig>, env: string) => rows.find((r) => r.env === env)!;

  it('masks credentials passed as query parameters of a secret URL', () => {
    const rows = describeConfig(load({ DATABASE_URL: 'postgres://db.example/wk?password=s3cret&sslmode=require' }));
    expect(row(rows, 'DATABASE_URL').value).not.toContain('s3cret');
    expect(row(rows, 'DATABASE_URL').value).toContain('db.example');
  });

  it('masks the credentials of secret URLs but keeps their shape', () => {
    const rows = describeConfig(load({ DATABASE_URL: 'postgres://wk:s3cret@db.example:5432/wk', REDIS_URL: 'redis://:hunter2@cache:6379/0' }));
    expect(row(rows, 'DATABASE_URL')).toMatchObject({ secret: true, value: 'postgres://****:****@db.example:5432/wk' });
    expect(row(rows, 'REDIS_URL')).toMatchObject({ secret: true, value: 'redis://:****@cache:6379/0' });
    expect(JSON.stringify(rows)).not.toMatch(/s3cret|hunter2/);
  });

  it('masks the OTLP headers, which carry collectors’ API keys', () => {
    const rows = describeConfig(load({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret' }));
    expect(row(rows, 'OTEL_EXPORTER_OTLP_HEADERS')).toMatchObject({ secret: true, value: '****' });
  });

  it('shows plain values and unset ones as such', () => {
    const rows = describeConfig(load({ PORT: '9001' }));
    expect(row(rows, 'PORT')).toMatchObject({ value: '9001', secret: false, path: 'server.port' });
    expect(row(rows, 'DATABASE_URL').value).toBe('(unset)');
    expect(row(rows, 'RELEASE_ID').value).toBe('(unset)');
  });
});

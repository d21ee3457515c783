/**
 * Builds the one typed configuration object at boot: defaults, then the optional config file,
 * then environment variables. A bad value stops start-up with a line naming the variable.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { settings, type SettingDefinition } from './settings.ts';
import { declaredMetricConfigSchema, type DeclaredMetric } from '../../../contracts/declared-metrics.ts';
import { externalServiceConfigSchema } from '../../../contracts/services.ts';

type Settings = typeof settings;
type SettingValue<S> = S extends { schema: z.ZodType<infer T> } ? T : never;
type Flat = { [S in Settings[number] as S['path']]: SettingValue<S> };
type Section<P extends string> = {
  [K in keyof Flat as K extends `${P}.${infer Rest}` ? Rest : never]: Flat[K];
};

export type ExternalServiceConfig = z.infer<typeof externalServiceConfigSchema>;

export interface Config {
  server: Section<'server'>;
  storage: Section<'storage'>;
  database: Section<'database'>;
  cache: Section<'cache'>;
  health: Section<'health'>;
  auth: Section<'auth'>;
  metrics: Section<'metrics'>;
  tracing: Section<'tracing'>;
  /** External services declared in the config file; more are managed through the API. */
  services: ExternalServiceConfig[];
  /** Pushed metrics declared in the config file (Watchkeeper's own project); more through the API. */
  declaredMetrics: DeclaredMetric[];
  /** Path of the config file that was read, if any. */
  configFile?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DEFAULT_CONFIG_FILES = ['watchkeeper.yaml', 'watchkeeper.yml', 'watchkeeper.json'];

function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): { file?: string; data: Record<string, unknown> } {
  const explicit = env.WATCHKEEPER_CONFIG;
  const file = explicit ? resolve(cwd, explicit) : DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!file) return { data: {} };
  if (!existsSync(file)) throw new ConfigError(`WATCHKEEPER_CONFIG: file ${file} does not exist`);
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`WATCHKEEPER_CONFIG: ${file} is not valid YAML/JSON (${(error as Error).message})`);
  }
  if (data === null || data === undefined) return { file, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`WATCHKEEPER_CONFIG: ${file} must contain an object at the top level`);
  }
  return { file, data: data as Record<string, unknown> };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.message;
}

/** Reads and validates the configuration; throws ConfigError with one line per bad value. */
export function loadConfig({ env = process.env, cwd = process.cwd() }: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Config {
  const { file, data } = readConfigFile(env, cwd);
  const config: Record<string, Record<string, unknown>> = {};
  const problems: string[] = [];

  for (const setting of settings) {
    const fromEnv = env[setting.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : getPath(data, setting.path);
    const parsed = (setting.schema as z.ZodType).safeParse(raw);
    const [section, key] = setting.path.split('.') as [string, string];
    if (!parsed.success) {
      const origin = fromEnv !== undefined && fromEnv !== '' ? setting.env : `${setting.path} in ${file}`;
      const shown = (setting as SettingDefinition).secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${origin}: ${parsed.error.issues.map(describeIssue).join('; ')} (got ${shown})`);
      continue;
    }
    (config[section] ??= {})[key] = parsed.data;
  }

  // A client timeout at or below the server's would cut merely slow queries on the client, leaving
  // the server running them, instead of letting the server cancel them cleanly.
  const database = config.database as { statementTimeoutMs?: number; queryTimeoutMs?: number } | undefined;
  if (database?.queryTimeoutMs !== undefined && database.statementTimeoutMs !== undefined && database.queryTimeoutMs <= database.statementTimeoutMs) {
    problems.push(
      `DATABASE_QUERY_TIMEOUT_MS: must be greater than DATABASE_STATEMENT_TIMEOUT_MS (${database.statementTimeoutMs}) (got ${database.queryTimeoutMs})`,
    );
  }

  const services = z.array(externalServiceConfigSchema).default([]).safeParse(data.services);
  if (!services.success) {
    for (const issue of services.error.issues) {
      problems.push(`services.${issue.path.join('.')} in ${file}: ${issue.message}`);
    }
  }

  const declaredMetrics = z
    .array(declaredMetricConfigSchema)
    .default([])
    .superRefine((metrics, context) => {
      const seen = new Set<string>();
      metrics.forEach((metric, i) => {
        if (seen.has(metric.name)) context.addIssue({ code: 'custom', path: [i, 'name'], message: `${metric.name} is declared twice`, input: metric.name });
        seen.add(metric.name);
      });
    })
    .safeParse(data.declaredMetrics);
  if (!declaredMetrics.success) {
    for (const issue of declaredMetrics.error.issues) problems.push(`declaredMetrics.${issue.path.join('.')} in ${file}: ${issue.message}`);
  }

  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join(' | ')}`);
  return {
    ...(config as unknown as Omit<Config, 'services' | 'declaredMetrics'>),
    services: services.data ?? [],
    declaredMetrics: declaredMetrics.data ?? [],
    configFile: file,
  };
}

/** The effective configuration with secrets masked, for `watchkeeper config check`. */
export function describeConfig(config: Config): Array<{ env: string; path: string; value: string; secret: boolean }> {
  return settings.map((setting) => {
    const value = getPath(config, setting.path);
    const secret = (setting as SettingDefinition).secret === true;
    return { env: setting.env, path: setting.path, value: maskValue(value, secret), secret };
  });
}

function maskValue(value: unknown, secret: boolean): string {
  if (value === undefined) return '(unset)';
  if (!secret) return String(value);
  // Keep a URL's shape (scheme, host) visible but hide credentials.
  try {
    const parsed = new URL(String(value));
    if (parsed.password) parsed.password = '****';
    if (parsed.username) parsed.username = '****';
    // Drivers also take credentials and keys as query parameters (?password=, ?sslkey=): hide every value.
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, '****');
    return parsed.toString();
  } catch {
    return '****';
  }
}

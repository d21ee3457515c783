/**
 * Where spans are posted and with which headers, by the OpenTelemetry specification's rules for
 * OTEL_EXPORTER_OTLP_*: the signal's own endpoint is used as it is; the general one gets
 * `/v1/traces` appended to its path; headers are `key=value` pairs, comma-separated, URL-encoded.
 */
import type { TracingConfig } from './tracing.ts';

export function otlpTracesUrl({ otlpEndpoint, otlpTracesEndpoint }: Partial<Pick<TracingConfig, 'otlpEndpoint' | 'otlpTracesEndpoint'>>): string | undefined {
  if (otlpTracesEndpoint) return otlpTracesEndpoint;
  if (!otlpEndpoint) return undefined;
  const url = new URL(otlpEndpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.toString();
}

export function otlpHeaders(headers: string | undefined): Record<string, string> {
  const parsed: Record<string, string> = {};
  for (const pair of (headers ?? '').split(',')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const key = decodeURIComponent(pair.slice(0, separator).trim());
    if (key) parsed[key] = decodeURIComponent(pair.slice(separator + 1).trim());
  }
  return parsed;
}

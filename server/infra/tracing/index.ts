/**
 * OpenTelemetry tracing of Watchkeeper itself, exported over OTLP/HTTP. Started before anything
 * it instruments is imported; when it is off nothing of OpenTelemetry is loaded at all.
 */
import type { Tracing, TracingConfig } from './tracing.ts';
import { isTracingEnabled } from './tracing.ts';

export type { Tracing, TracingConfig } from './tracing.ts';
export { isTracingEnabled } from './tracing.ts';
export { requestSpanPlugin } from './request-span-plugin.ts';

/**
 * Starts tracing if the configuration turns it on. Call it before importing the server (pg,
 * ioredis, Fastify's http): the instrumentations patch those modules as they load, not after.
 */
export async function startTracing(config: TracingConfig): Promise<Tracing | undefined> {
  if (!isTracingEnabled(config)) return undefined;
  // Imported only now: the SDK, the exporter and the loader hook cost nothing when tracing is off.
  const { startTracerProvider } = await import('./start-tracer-provider.ts');
  return startTracerProvider(config);
}

/**
 * What the rest of Watchkeeper sees of tracing. It names no OpenTelemetry type, so that the
 * process, the logger and the app can be handed tracing without loading any of it when it is off.
 */
import type { Config } from '../config/index.ts';

export interface Tracing {
  /**
   * The active span's ids for a log line (trace_id, span_id, trace_flags), or none. A new object
   * on every call: pino's mixin merges into what it is given.
   */
  logFields(): Record<string, string>;
  /** Names the active server span by its route template (`GET /api/services/:id`), never by the raw URL. */
  nameServerSpan(method: string, routeTemplate: string): void;
  /** Exports the spans still buffered and stops; rejects once the wait passes its bound (a dead collector). */
  shutdown(): Promise<void>;
}

export type TracingConfig = Config['tracing'];

/** On when an OTLP endpoint is set, as the OpenTelemetry specification has it, unless OTEL_SDK_DISABLED. */
export function isTracingEnabled(config: TracingConfig): boolean {
  return !config.sdkDisabled && Boolean(config.otlpTracesEndpoint ?? config.otlpEndpoint);
}

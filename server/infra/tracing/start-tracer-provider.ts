/**
 * The OpenTelemetry SDK, wired: a tracer provider batching spans to an OTLP/HTTP exporter, and
 * the instrumentations of the HTTP server and client, pg, ioredis and undici (the HTTP checks'
 * fetch). Only `startTracing` imports this module, and only when tracing is on.
 */
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { withDeadline } from '../deadline.ts';
import { packageRoot } from '../package-root.ts';
import { otlpHeaders, otlpTracesUrl } from './otlp-target.ts';
import { redactedUrlAttributes } from './redact-query.ts';
import { samplerFor } from './sampler.ts';
import type { Tracing, TracingConfig } from './tracing.ts';

/**
 * Requests not traced: probes and scrapes arrive every few seconds from every balancer and
 * Prometheus, and a trace of each would drown the traces of real work.
 */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health/liveness', '/health/readiness', '/metrics']);

/** The modules whose ESM imports the loader hook wraps: a short list keeps the hook's cost off every other import. */
const INSTRUMENTED_MODULES = ['pg', 'pg-pool', 'ioredis', 'http', 'https', 'node:http', 'node:https'];

/** How long stopping waits for the last export: a collector that does not answer must not hold the shutdown. */
const SHUTDOWN_TIMEOUT_MS = 2_000;

function untraced(request: IncomingMessage): boolean {
  const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
  return UNTRACED_PATHS.has(path.replace(/\/+$/, '') || '/');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function startTracerProvider(config: TracingConfig): Tracing {
  // ES modules are patched through a loader hook, which sees only the imports made after it is registered.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: INSTRUMENTED_MODULES } });

  const target = { url: otlpTracesUrl(config), headers: otlpHeaders(config.otlpHeaders) };
  const protocol = config.otlpTracesProtocol ?? config.otlpProtocol;
  const exporter = protocol === 'http/json' ? new OTLPJsonTraceExporter(target) : new OTLPProtobufTraceExporter(target);
  const provider = new NodeTracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES first, so that the service's own name and version cannot be overridden by accident.
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': packageVersion() })),
    sampler: samplerFor(config),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // The exporter's own requests are not traced: it sends them with tracing suppressed.
      new HttpInstrumentation({ ignoreIncomingRequestHook: untraced }),
      // Without a parent: the queries of the untraced probes and of background jobs, which would be
      // a flood of one-span traces.
      new PgInstrumentation({ requireParentSpan: true }),
      // The command's name only: its arguments hold cached sessions and rights, and keys naming clients.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      new UndiciInstrumentation({ startSpanHook: redactedUrlAttributes }),
    ],
  });

  return {
    logFields(): Record<string, string> {
      const context = trace.getActiveSpan()?.spanContext();
      if (!context || !isSpanContextValid(context)) return {};
      const { traceId, spanId, traceFlags } = context;
      return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags.toString(16).padStart(2, '0') };
    },
    nameServerSpan(method, routeTemplate) {
      const span = trace.getActiveSpan();
      span?.updateName(`${method} ${routeTemplate}`);
      span?.setAttribute('http.route', routeTemplate);
    },
    shutdown: () =>
      withDeadline(
        provider.shutdown(),
        SHUTDOWN_TIMEOUT_MS,
        () => new Error(`the OTLP collector did not take the last spans within ${SHUTDOWN_TIMEOUT_MS} ms`),
      ),
  };
}

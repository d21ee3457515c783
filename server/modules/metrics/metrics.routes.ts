/** GET /metrics: the registry in the format the scraper asked for, streamed in chunks. */
import { Readable } from 'node:stream';
import { withDeadline } from '../../infra/deadline.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ScrapeTimeMetric, type MetricFamily } from '../../platform/metrics/index.ts';
import { expose, negotiateFormat, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, type ExpositionTiming } from './exposition.ts';
import { metricsAccessHook } from './metrics-access.ts';
import { metricsReplies } from './metrics.schemas.ts';

/** How long a scrape waits for the pushed groups before it answers without them. */
const PUSHED_READ_TIMEOUT_MS = 1_000;

export interface MetricsRoutesOptions {
  networks: readonly string[];
  /** Families from outside the registry (pushed metrics), read per scrape. */
  additions?: () => Promise<ReadonlyMap<string, MetricFamily>>;
}

export async function metricsRoutes(app: FastifyInstance, { networks, additions }: MetricsRoutesOptions) {
  const logger = app.log.child({ component: 'metrics' });
  // The exposition's own cost, as the next scrape reports it.
  let lastScrape: ExpositionTiming | undefined;
  new ScrapeTimeMetric({
    name: 'watchkeeper_metrics_scrape_duration_seconds',
    help: 'How long the previous scrape of /metrics took to produce, from its first family to its last',
    type: 'gauge',
    collect: () => (lastScrape ? [{ value: lastScrape.seconds }] : []),
    registers: [app.metrics],
  });
  new ScrapeTimeMetric({
    name: 'watchkeeper_metrics_scrape_longest_slice_seconds',
    help: 'The longest stretch the previous scrape of /metrics held the event loop (reads it awaited included)',
    type: 'gauge',
    collect: () => (lastScrape ? [{ value: lastScrape.longestSliceSeconds }] : []),
    registers: [app.metrics],
  });
  app.withTypeProvider<ZodTypeProvider>().get(
    '/metrics',
    {
      schema: { tags: ['metrics'], summary: 'Prometheus metrics (text format, or OpenMetrics by content negotiation)', response: metricsReplies },
      config: {
        // Authenticated when credentials come; who may see it is decided by metricsAccessHook.
        access: 'optional',
        // A scraper is a monitoring client, like the health probes: rules for `health` apply.
        ipRuleGroup: 'health',
        rateLimit: 'health',
      },
      onRequest: metricsAccessHook(app, { networks }),
    },
    async (request, reply) => {
      const format = negotiateFormat(request.headers.accept);
      // Without the database (or while it does not answer within PUSHED_READ_TIMEOUT_MS) the pushed
      // series are left out; Watchkeeper's own are still served, well within a scrape timeout.
      const added = additions
        ? await withDeadline(
            additions(),
            PUSHED_READ_TIMEOUT_MS,
            () => new Error(`the pushed metrics were not read within ${PUSHED_READ_TIMEOUT_MS} ms`),
          ).catch((error: unknown) => {
            logger.warn({ err: error }, 'the pushed metrics could not be read; this scrape has only Watchkeeper’s own');
            return undefined;
          })
        : undefined;
      const body = Readable.from(
        expose(
          app.metrics,
          { format, ...(added ? { additions: added } : {}) },
          {
            onError: (metric, error) => logger.warn({ err: error, metric }, 'a metric could not be read; left out of this scrape'),
            onDone: (timing) => (lastScrape = timing),
          },
        ),
        { objectMode: false },
      );
      body.on('error', (error) => request.log.error({ err: error }, 'metrics exposition failed mid-stream'));
      return reply
        .type(format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE)
        .header('cache-control', 'no-store')
        .header('vary', 'accept')
        .send(body as never); // a stream is piped as is; the declared schemas document it
    },
  );
}

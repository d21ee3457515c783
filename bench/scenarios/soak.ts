/**
 * soak: 30 minutes of authenticated reads (API-key `GET /health/status`) at 50% of the knee —
 * the request rate of the last ramp step meeting the api objective (p99 ≤ 100 ms, no errors),
 * found by a short ramp first. The server's RSS and the p99 are sampled every 30 s; their
 * least-squares slopes per hour, after the first (warm-up) interval, must stay under the drift
 * thresholds below. Long-running: only `npm run bench -- soak` runs it; smoke mode takes ~5 s.
 */
import { aggregate, hasErrors } from '../lib/aggregate.ts';
import { credentialsFor } from '../lib/credentials.ts';
import { measure, type WindowResult } from '../lib/measure.ts';
import { runRamp, type RampTarget } from '../lib/ramp.ts';
import type { Scenario } from '../lib/scenario.ts';
import { slope } from '../lib/stats.ts';

const SOAK = { minutes: 30, intervalSeconds: 30 };
const SMOKE_SOAK = { minutes: 5 / 60, intervalSeconds: 1 };
const KNEE_STEPS = [10, 20, 50, 100];
/** No drift: RSS grows by at most this per hour (a leak of a few KB per request shows as far more). */
const MAX_RSS_SLOPE_MIB_PER_HOUR = 10;
/** No drift: p99 grows by at most 10% of the api objective per hour. */
const MAX_P99_SLOPE_MS_PER_HOUR = 10;
const MiB = 1_048_576;

export const soak: Scenario = {
  name: 'soak',
  description: 'Authenticated reads (API key GET /health/status) at 50% of the knee for 30 minutes: RSS and p99 must not drift',
  longRunning: true,
  async run(context) {
    const subject = await context.subject();
    const { apiKey } = await credentialsFor(subject);
    const target: RampTarget = {
      label: 'api API key GET /health/status',
      url: `${subject.url}/health/status`,
      headers: { authorization: `Bearer ${apiKey}` },
      objectiveMs: 100,
    };
    const { minutes, intervalSeconds } = context.smoke ? SMOKE_SOAK : SOAK;
    const kneeSteps = context.smoke ? KNEE_STEPS.slice(0, 1) : KNEE_STEPS;
    context.log(`soak: finding the knee over ${kneeSteps.join(', ')} connections`);
    const ramp = await runRamp({ target, steps: kneeSteps, seconds: context.smoke ? 1 : 3, pid: subject.pid });
    const knee = ramp.knee ?? ramp.steps[0]!;
    const rate = knee.row.rps / 2;
    const intervals = Math.max(2, Math.round((minutes * 60) / intervalSeconds));
    context.log(`soak: ${intervals} × ${intervalSeconds} s at ${Math.round(rate)} req/s over ${knee.connections} connections`);
    const windows: WindowResult[] = [];
    const started = Date.now();
    for (let index = 0; index < intervals; index++) {
      windows.push(
        await measure({
          label: `soak interval ${index + 1}`,
          pid: subject.pid,
          url: target.url,
          headers: target.headers ?? {},
          seconds: intervalSeconds,
          connections: knee.connections,
          rate,
        }),
      );
    }
    // Hours since the start, at each interval's end; the first interval warms up and is left out.
    const ends = windows.map((_, index) => ((index + 1) * intervalSeconds) / 3600);
    const rss = windows.map((window, index) => [ends[index]!, window.server.rssBytes / MiB] as const);
    const p99 = windows.map((window, index) => [ends[index]!, window.latencyMs.p99] as const);
    const rssSlope = slope(rss.slice(1));
    const p99Slope = slope(p99.slice(1));
    const row = aggregate(`soak at ${Math.round(rate)} req/s, ${knee.connections} connections, ${intervals} × ${intervalSeconds} s`, windows);
    row.target = `RSS ≤ ${MAX_RSS_SLOPE_MIB_PER_HOUR} MiB/h, p99 ≤ ${MAX_P99_SLOPE_MS_PER_HOUR} ms/h`;
    row.pass = rssSlope <= MAX_RSS_SLOPE_MIB_PER_HOUR && p99Slope <= MAX_P99_SLOPE_MS_PER_HOUR && !hasErrors(row);
    const kneeRow = { ...knee.row, label: `knee: ${knee.row.label}` };
    return {
      name: this.name,
      description: this.description,
      rows: [kneeRow, row],
      windows: [...ramp.steps.map((step) => step.window), ...windows],
      notes: [
        ramp.knee
          ? `Knee: ${knee.connections} connections at ${Math.round(knee.row.rps)} req/s (p99 ${knee.row.latencyMs.p99.toFixed(2)} ms); soaked at half that rate.`
          : `No ramp step met the objective (p99 ≤ ${target.objectiveMs} ms, no errors): soaked at half the rate of ${knee.connections} connections.`,
        `RSS slope ${rssSlope.toFixed(2)} MiB/h (${(rss[1]?.[1] ?? 0).toFixed(1)} → ${(rss.at(-1)?.[1] ?? 0).toFixed(1)} MiB); p99 slope ${p99Slope.toFixed(2)} ms/h (${(p99[1]?.[1] ?? 0).toFixed(2)} → ${(p99.at(-1)?.[1] ?? 0).toFixed(2)} ms); least squares over intervals 2…${intervals}, ${((Date.now() - started) / 60_000).toFixed(1)} min in all.`,
        `No drift means RSS slope ≤ ${MAX_RSS_SLOPE_MIB_PER_HOUR} MiB/h and p99 slope ≤ ${MAX_P99_SLOPE_MS_PER_HOUR} ms/h (10% of the objective), with no errors; a smoke run's slopes extrapolate seconds to an hour and mean nothing.`,
      ],
      charts: [
        {
          id: 'rss',
          title: 'soak: server RSS',
          xLabel: 'minutes',
          yLabel: 'RSS (MiB)',
          series: [{ name: 'RSS', points: rss.map(([hours, value]) => [hours * 60, value] as const) }],
        },
        {
          id: 'p99',
          title: 'soak: p99 latency per interval',
          xLabel: 'minutes',
          yLabel: 'p99 latency (ms)',
          series: [{ name: 'p99', points: p99.map(([hours, value]) => [hours * 60, value] as const) }],
          limit: { y: target.objectiveMs, label: `objective ${target.objectiveMs} ms` },
        },
      ],
    };
  },
};

/**
 * metrics: `GET /metrics` with 10,000 series (issue 10: a scrape ≤ 50 ms, the event loop never
 * blocked more than 20 ms), against a bare node:http server answering the same pre-rendered bytes
 * in the same run.
 *
 * The series are real: Watchkeeper runs with BENCH_METRICS_SERVICES (5,000; smoke 200) TCP checks
 * from a config file, each a health component with two series (status and check duration), aimed
 * at a closed loopback port (refused at once) and checked once an hour, so after start-up they
 * cost nothing but their series. Scrapes are timed to the last byte, sequentially and a few at a
 * time, in both formats. How long a scrape held the event loop is measured inside (the
 * exposition's own `watchkeeper_metrics_scrape_longest_slice_seconds`) and judged; from outside,
 * a side client asks GET /health/liveness back to back on one kept-alive connection during the
 * scrapes, shown with the same probe without scrapes (on a shared machine both include its noise).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleProcess } from '../lib/proc-stats.ts';
import { freePort, httpRequest, stopChild, waitForOk } from '../lib/processes.ts';
import type { Metric, Row, Scenario } from '../lib/scenario.ts';
import { percentile } from '../lib/stats.ts';
import { startSubject } from '../lib/subject.ts';
import { timeRequests, type TimedRequests } from '../lib/timed-requests.ts';

const MAX_SCRAPE_P99_MS = 50;
const MAX_LOOP_BLOCK_MS = 20;
const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const BARE_SCRIPT = fileURLToPath(new URL('./metrics-bare-server.ts', import.meta.url));

function sizes(smoke: boolean) {
  const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  return { services: env('BENCH_METRICS_SERVICES', smoke ? 200 : 5_000), sequential: smoke ? 5 : 40, concurrency: smoke ? 2 : 4, perWorker: smoke ? 2 : 10 };
}

async function startBare(bodyFile: string, contentType: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', BARE_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', BARE_PORT: String(port), BARE_BODY_FILE: bodyFile, BARE_CONTENT_TYPE: contentType },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child, () => output, 30_000);
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/** Liveness asked back to back on one connection until stopped; each answer's latency. */
function sideProbe(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - sent);
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
  const loop = (async () => {
    while (running) await one();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return latencies.sort((a, b) => a - b);
    },
  };
}

function rowOf(label: string, timed: TimedRequests, cpuMicros: number, rssBytes: number): Row {
  return {
    label,
    rps: timed.requests / timed.seconds,
    latencyMs: { p50: timed.latencyMs.p50, p95: timed.latencyMs.p95, p99: timed.latencyMs.p99 },
    errors: { non2xx: timed.errors.non2xx, timeouts: 0, errors: timed.errors.errors },
    cpuMicrosPerRequest: timed.requests ? cpuMicros / timed.requests : 0,
    rssBytes,
  };
}

export const metrics: Scenario = {
  name: 'metrics',
  description: 'GET /metrics with 10,000 series (text and OpenMetrics) vs a bare node:http server answering the same pre-rendered bytes',
  async run(context) {
    const size = sizes(context.smoke);
    const configDir = mkdtempSync(join(tmpdir(), 'watchkeeper-bench-metrics-'));
    const configFile = join(configDir, 'watchkeeper.json');
    const closedPort = await freePort(); // nothing listens there: every check is refused at once
    const services = Array.from({ length: size.services }, (_, index) => ({
      name: `series-${index}`,
      type: 'tcp',
      host: '127.0.0.1',
      port: closedPort,
      intervalMs: 3_600_000,
      timeoutMs: 2_000,
    }));
    writeFileSync(configFile, JSON.stringify({ services }));
    context.log(`metrics: starting watchkeeper with ${size.services} health components`);
    const subject = await startSubject({
      databaseUrl: context.databaseUrl,
      env: { WATCHKEEPER_CONFIG: configFile, SERVICES_MAX_PER_PROJECT: String(size.services) },
      readyTimeoutMs: 300_000,
    }).catch((error: unknown) => {
      rmSync(configDir, { recursive: true, force: true });
      throw error;
    });
    const bare: Array<{ stop(): Promise<void> }> = [];
    try {
      const metricsUrl = `${subject.url}/metrics`;
      const text = await httpRequest(metricsUrl);
      const open = await httpRequest(metricsUrl, { headers: { accept: OPENMETRICS_ACCEPT } });
      if (text.status !== 200 || open.status !== 200) throw new Error(`GET /metrics answered ${text.status} / ${open.status}: ${text.body.slice(0, 200)}`);
      const seriesCount = text.body.split('\n').filter((line) => line && !line.startsWith('#')).length;
      const textFile = join(configDir, 'metrics.txt');
      const openFile = join(configDir, 'metrics.om.txt');
      writeFileSync(textFile, text.body);
      writeFileSync(openFile, open.body);
      const bareText = await startBare(textFile, String(text.headers['content-type']));
      bare.push(bareText);
      const bareOpen = await startBare(openFile, String(open.headers['content-type']));
      bare.push(bareOpen);

      const livenessUrl = `${subject.url}/health/liveness`;
      context.log('metrics: liveness alone');
      const quiet = sideProbe(livenessUrl);
      await new Promise((resolve) => setTimeout(resolve, context.smoke ? 500 : 3_000));
      const quietLatencies = await quiet.stop();

      const rows: Row[] = [];
      const timedOn = async (label: string, url: string, pid: number, headers: Record<string, string>, concurrency: number, perWorker: number) => {
        const before = sampleProcess(pid);
        const timed = await timeRequests({ url, headers, concurrency, perWorker });
        const after = sampleProcess(pid);
        return rowOf(label, timed, after.cpuMicros - before.cpuMicros, after.rssBytes);
      };
      const side = sideProbe(livenessUrl);
      let sideLatencies: number[] = [];
      try {
        for (const [format, headers, bareUrl, barePid] of [
          ['text', {}, bareText.url, bareText.pid],
          ['OpenMetrics', { accept: OPENMETRICS_ACCEPT }, bareOpen.url, bareOpen.pid],
        ] as const) {
          for (const [mode, concurrency, perWorker] of [
            ['sequential', 1, size.sequential],
            [`${size.concurrency} concurrent`, size.concurrency, size.perWorker],
          ] as const) {
            context.log(`metrics: ${format}, ${mode}`);
            const baseline = await timedOn(`bare node:http, pre-rendered ${format}, ${mode}`, `${bareUrl}/`, barePid, {}, concurrency, perWorker);
            const row = await timedOn(`watchkeeper GET /metrics, ${format}, ${mode}`, metricsUrl, subject.pid, headers, concurrency, perWorker);
            row.ratio = baseline.rps ? row.rps / baseline.rps : 0;
            // A scrape is judged one at a time, as Prometheus sends them; concurrent ones are shown.
            if (mode === 'sequential') {
              row.target = `p99 ≤ ${MAX_SCRAPE_P99_MS} ms`;
              row.pass = row.latencyMs.p99 <= MAX_SCRAPE_P99_MS && row.errors.non2xx + row.errors.errors === 0;
            }
            rows.push(baseline, row);
          }
        }
      } finally {
        sideLatencies = await side.stop();
      }
      const worst = sideLatencies.at(-1) ?? 0;
      // Inside: each scrape reports the previous one's longest stretch without yielding.
      let longestSliceMs = 0;
      let scrapeMs = 0;
      for (let i = 0; i < size.sequential; i++) {
        const body = (await httpRequest(metricsUrl, i % 2 ? { headers: { accept: OPENMETRICS_ACCEPT } } : {})).body;
        const read = (name: string) => {
          const line = body.split('\n').find((candidate) => candidate.startsWith(`${name} `));
          return Number(line?.slice(name.length + 1) ?? NaN) * 1000;
        };
        longestSliceMs = Math.max(longestSliceMs, read('watchkeeper_metrics_scrape_longest_slice_seconds'));
        scrapeMs = Math.max(scrapeMs, read('watchkeeper_metrics_scrape_duration_seconds'));
      }
      const metricsOut: Metric[] = [
        {
          label: 'longest stretch a scrape held the event loop (measured inside, worst of the scrapes)',
          value: Math.round(longestSliceMs * 100) / 100,
          unit: 'ms',
          target: `≤ ${MAX_LOOP_BLOCK_MS} ms`,
          pass: longestSliceMs <= MAX_LOOP_BLOCK_MS,
        },
        { label: 'longest scrape to produce (measured inside)', value: Math.round(scrapeMs * 100) / 100, unit: 'ms' },
        {
          label: 'slowest liveness answer during the scrapes (from outside: the block, plus the shared machine)',
          value: Math.round(worst * 100) / 100,
          unit: 'ms',
        },
        { label: 'liveness p99 during the scrapes', value: Math.round(percentile(sideLatencies, 99) * 100) / 100, unit: 'ms' },
        { label: 'slowest liveness answer without scrapes', value: Math.round((quietLatencies.at(-1) ?? 0) * 100) / 100, unit: 'ms' },
        { label: 'series in the exposition', value: seriesCount, unit: 'series' },
        { label: 'exposition size, text format', value: Math.round(Buffer.byteLength(text.body) / 1024), unit: 'KiB' },
      ];
      return {
        name: this.name,
        description: this.description,
        rows,
        metrics: metricsOut,
        windows: [],
        notes: [
          `${size.services} health components (two series each) plus the process, Node, HTTP, pool, cache and audit families: ${seriesCount} series.`,
          `Scrapes timed to the last byte, not parsed; the side liveness client answered ${sideLatencies.length} times during them.`,
        ],
        details: { services: size.services, series: seriesCount, livenessDuringScrapes: sideLatencies.length },
      };
    } finally {
      for (const server of bare) await server.stop();
      await subject.stop();
      rmSync(configDir, { recursive: true, force: true });
    }
  },
};

/**
 * probe: `GET /health/liveness` through the full production middleware against a bare node:http
 * server sending the same body and headers, alternating in the same run. Targets (issue 8):
 * ≥ 0.6× the bare server, and p99 ≤ 10 ms at half the maximum rate.
 */
import { aggregate, hasErrors } from '../lib/aggregate.ts';
import { startBareServer } from '../lib/baseline.ts';
import { measure, type WindowResult } from '../lib/measure.ts';
import { httpRequest } from '../lib/processes.ts';
import type { Scenario } from '../lib/scenario.ts';

// Node writes these itself on both servers; copying them would send them twice.
const NODE_OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

const MIN_RATIO = 0.6;
const MAX_P99_AT_HALF_RATE_MS = 10;

export const probe: Scenario = {
  name: 'probe',
  description: 'GET /health/liveness with the full middleware vs a bare node:http server answering the same bytes',
  async run(context) {
    const subject = await context.subject();
    const liveness = `${subject.url}/health/liveness`;
    const sample = await httpRequest(liveness);
    if (sample.status !== 200) throw new Error(`GET /health/liveness answered ${sample.status}: ${sample.body}`);
    const headers: [string, string][] = [];
    for (let i = 0; i < sample.rawHeaders.length; i += 2) {
      const name = sample.rawHeaders[i]!;
      if (!NODE_OWN_HEADERS.has(name.toLowerCase())) headers.push([name, sample.rawHeaders[i + 1]!]);
    }
    const bare = await startBareServer({ body: sample.body, headers });
    try {
      const window = { seconds: context.seconds, connections: context.connections };
      const bareLoad = { ...window, label: 'bare node:http', url: `${bare.url}/health/liveness`, pid: bare.pid };
      const subjectLoad = { ...window, label: 'watchkeeper /health/liveness', url: liveness, pid: subject.pid };
      if (context.warmupSeconds > 0) {
        context.log(`probe: warm-up ${context.warmupSeconds} s each`);
        await measure({ ...bareLoad, seconds: context.warmupSeconds });
        await measure({ ...subjectLoad, seconds: context.warmupSeconds });
      }
      const bareWindows: WindowResult[] = [];
      const subjectWindows: WindowResult[] = [];
      for (let round = 1; round <= context.rounds; round++) {
        context.log(`probe: round ${round}/${context.rounds}`);
        bareWindows.push(await measure(bareLoad));
        subjectWindows.push(await measure(subjectLoad));
      }
      const baseline = aggregate(bareLoad.label, bareWindows);
      const full = aggregate(subjectLoad.label, subjectWindows);
      full.ratio = baseline.rps ? full.rps / baseline.rps : 0;
      full.target = `≥ ${MIN_RATIO}× bare`;
      full.pass = full.ratio >= MIN_RATIO && !hasErrors(full);

      const halfRate = full.rps / 2;
      context.log(`probe: at half the maximum rate (${Math.round(halfRate)} rps)`);
      const halfWindow = await measure({ ...subjectLoad, label: 'watchkeeper /health/liveness at 50% of max', rate: halfRate });
      const half = aggregate(halfWindow.label, [halfWindow]);
      half.target = `p99 ≤ ${MAX_P99_AT_HALF_RATE_MS} ms`;
      half.pass = half.latencyMs.p99 <= MAX_P99_AT_HALF_RATE_MS && !hasErrors(half);
      return {
        name: this.name,
        description: this.description,
        rows: [baseline, full, half],
        windows: [...bareWindows, ...subjectWindows, halfWindow],
        notes: [
          `The bare server sends the same body (${Buffer.byteLength(sample.body)} bytes) and the same ${headers.length} headers besides those Node adds itself.`,
        ],
      };
    } finally {
      await bare.stop();
    }
  },
};

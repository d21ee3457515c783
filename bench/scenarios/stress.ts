/**
 * stress: a concurrency ramp on the probe (`GET /health/liveness`) and on an authenticated read
 * (`GET /health/status` with an API key) until p99 or errors break the objective (probe 10 ms,
 * api 100 ms: issue 8's probe target and its bound for the status API), then on past the knee,
 * then back to low load. Beyond the knee the process must stay alive, shed with 503 + Retry-After
 * rather than queue (LOAD_SHED_*), keep answering liveness, and meet the objective again once the
 * load drops. Meanwhile a side client sends malformed and oversized requests: none may get a 5xx
 * other than a shedding 503 with Retry-After.
 */
import { credentialsFor } from '../lib/credentials.ts';
import { startMalformedClient, type MalformedCounts } from '../lib/malformed-requests.ts';
import { measureStep, runRamp, type RampStep, type RampTarget } from '../lib/ramp.ts';
import type { Row, Scenario } from '../lib/scenario.ts';
import { startSideWatch, type WatchCounts } from '../lib/side-watch.ts';
import type { Chart } from '../lib/svg-chart.ts';

const FULL_STEPS = [10, 20, 50, 100, 200, 400];
const SMOKE_STEPS = [10, 50];
// Shedding holds for a sample after the load ends (under-pressure samples each second), and the
// refused clients were told to wait LOAD_SHED_RETRY_AFTER_SECONDS (2 s by default).
const RECOVERY_PAUSE_MS = 3_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const format = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} × ${count.toLocaleString('en-US')}`)
    .join(', ') || 'none';

interface TargetOutcome {
  name: string;
  target: RampTarget;
  steps: RampStep[];
  knee: RampStep | undefined;
  recovery: RampStep;
  /** What the side watch saw during each step, by step label. */
  side: Map<string, Record<string, WatchCounts>>;
  alive: boolean;
}

function outcomeNotes({ name, target, steps, knee, recovery, side, alive }: TargetOutcome): string[] {
  const beyond = knee ? steps.slice(steps.indexOf(knee) + 1) : steps;
  const shed = beyond.reduce((sum, step) => sum + (step.window.statusCodes['503'] ?? 0), 0);
  const otherErrors = beyond.reduce(
    (sum, step) => sum + step.window.errors.timeouts + step.window.errors.errors + step.window.errors.non2xx - (step.window.statusCodes['503'] ?? 0),
    0,
  );
  const liveness = { answered: 0, total: 0, maxMs: 0 };
  let badRefusals = 0;
  for (const step of [...steps, recovery]) {
    const seen = side.get(step.row.label) ?? {};
    const probe = seen['liveness'];
    if (probe) {
      liveness.total += Object.values(probe.statuses).reduce((sum, count) => sum + count, 0);
      liveness.answered += probe.statuses['200'] ?? 0;
      liveness.maxMs = Math.max(liveness.maxMs, probe.maxMs);
    }
    badRefusals += Object.values(seen).reduce((sum, counts) => sum + counts.badRefusals, 0);
  }
  return [
    knee
      ? `${name} knee (${target.objectiveMs} ms p99, no errors): ${knee.connections} connections — ${Math.round(knee.row.rps).toLocaleString('en-US')} req/s, p99 ${knee.row.latencyMs.p99.toFixed(2)} ms.`
      : `${name}: no step met the objective (${target.objectiveMs} ms p99, no errors), not even ${steps[0]?.connections} connections.`,
    `${name} beyond the knee: process ${alive ? 'alive throughout' : 'DIED'}; ${shed.toLocaleString('en-US')} requests shed with 503, ${otherErrors.toLocaleString('en-US')} other errors (timeouts, connection errors, non-2xx); side liveness probes answered 200 ${liveness.answered}/${liveness.total} (slowest ${liveness.maxMs.toFixed(1)} ms); 503s without Retry-After or problem+json: ${badRefusals}.`,
    `${name} recovery at ${recovery.connections} connections after ${RECOVERY_PAUSE_MS / 1000} s: ${recovery.meets ? 'meets the objective again' : 'does NOT meet the objective'} (p99 ${recovery.row.latencyMs.p99.toFixed(2)} ms, ${format(recovery.window.statusCodes)}).`,
  ];
}

function charts(outcomes: TargetOutcome[]): Chart[] {
  const series = (value: (step: RampStep) => number) =>
    outcomes.map(({ name, steps }) => ({ name, points: steps.map((step) => [step.connections, value(step)] as const) }));
  return [
    ...outcomes.map(({ name, target, steps }): Chart => ({
      id: `${name}-p99`,
      title: `stress: ${name} p99 latency by concurrency`,
      xLabel: 'connections',
      yLabel: 'p99 latency (ms)',
      series: [{ name: `${name} p99`, points: steps.map((step) => [step.connections, step.row.latencyMs.p99] as const) }],
      limit: { y: target.objectiveMs, label: `objective ${target.objectiveMs} ms` },
    })),
    {
      id: 'throughput',
      title: 'stress: answered requests by concurrency',
      xLabel: 'connections',
      yLabel: 'requests/s (all statuses)',
      series: series((step) => step.row.rps),
    },
    {
      id: 'shed',
      title: 'stress: requests shed (503) by concurrency',
      xLabel: 'connections',
      yLabel: '503 answers/s',
      series: series((step) => (step.window.statusCodes['503'] ?? 0) / step.window.seconds),
    },
  ];
}

export const stress: Scenario = {
  name: 'stress',
  description: 'Concurrency ramp on the probe and an authenticated read until the objective breaks, then past it and back; malformed requests on the side',
  async run(context) {
    const subject = await context.subject();
    const { apiKey } = await credentialsFor(subject);
    const authorization = { authorization: `Bearer ${apiKey}` };
    const targets: { name: string; target: RampTarget }[] = [
      { name: 'probe', target: { label: 'probe GET /health/liveness', url: `${subject.url}/health/liveness`, objectiveMs: 10 } },
      { name: 'api', target: { label: 'api API key GET /health/status', url: `${subject.url}/health/status`, headers: authorization, objectiveMs: 100 } },
    ];
    const steps = context.smoke ? SMOKE_STEPS : FULL_STEPS;
    const watch = startSideWatch({
      targets: [
        { name: 'liveness', url: `${subject.url}/health/liveness` },
        { name: 'api', url: `${subject.url}/health/status`, headers: authorization },
      ],
    });
    const malformed = startMalformedClient({ port: Number(new URL(subject.url).port) });
    const outcomes: TargetOutcome[] = [];
    let malformedCounts: MalformedCounts;
    try {
      for (const { name, target } of targets) {
        if (context.warmupSeconds > 0) await measureStep({ target, connections: steps[0]!, seconds: context.warmupSeconds, pid: subject.pid });
        watch.take();
        const side = new Map<string, Record<string, WatchCounts>>();
        let alive = true;
        const afterStep = async (step: RampStep) => {
          side.set(step.row.label, watch.take());
          alive &&= isAlive(subject.pid);
          context.log(
            `stress: ${step.row.label}: ${Math.round(step.row.rps)} req/s, p99 ${step.row.latencyMs.p99.toFixed(1)} ms, ${format(step.window.statusCodes)}`,
          );
        };
        context.log(`stress: ramping ${name} over ${steps.join(', ')} connections, ${context.seconds} s each`);
        const { steps: measured, knee } = await runRamp({ target, steps, seconds: context.seconds, pid: subject.pid, afterStep });
        await new Promise((resolve) => setTimeout(resolve, context.smoke ? RECOVERY_PAUSE_MS / 2 : RECOVERY_PAUSE_MS));
        watch.take();
        const recovery = await measureStep({
          target,
          connections: steps[0]!,
          seconds: context.seconds,
          pid: subject.pid,
          label: `${target.label}, ${steps[0]} connections, recovery`,
        });
        await afterStep(recovery);
        outcomes.push({ name, target, steps: measured, knee, recovery, side, alive });
      }
    } finally {
      malformedCounts = await malformed.stop();
      await watch.stop();
    }
    const rows: Row[] = outcomes.flatMap(({ steps: measured, recovery }) => [...measured.map((step) => step.row), recovery.row]);
    return {
      name: this.name,
      description: this.description,
      rows,
      windows: outcomes.flatMap(({ steps: measured, recovery }) => [...measured.map((step) => step.window), recovery.window]),
      notes: [
        ...outcomes.flatMap(outcomeNotes),
        `Malformed and oversized requests on the side throughout every step, so each knee is measured with them (one at a time, new connection each, plus 4 slowloris connections): 5xx other than 503 with Retry-After: ${malformedCounts.violations}.`,
        ...Object.entries(malformedCounts.byKind).map(([kind, statuses]) => `${kind}: ${format(statuses)}`),
        'Errors in the table include the 503s of load shedding; side liveness probes and api requests go out on fresh connections every 100 ms during each step.',
      ],
      charts: charts(outcomes),
    };
  },
};

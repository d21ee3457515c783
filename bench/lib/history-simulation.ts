/**
 * A stretch of health history for many checks at accelerated time: every simulated interval each
 * check's sample goes through the real write path (the buffered recorder over the history
 * repository), with the timestamp the monitor would have given it, and a change of status records
 * the transition event the monitor would record. Latencies and failures come from a seeded
 * generator, so two runs write the same rows.
 */
import type { HealthStatus } from '../../contracts/health.ts';
import type { BufferedRecorder } from '../../server/modules/health/history/buffered-recorder.ts';
import { seededRandom } from './seeded-random.ts';

export interface SimulationOptions {
  recorder: BufferedRecorder;
  checks: number;
  intervalMs: number;
  start: Date;
  durationMs: number;
  scope: { organizationId: string; projectId: string };
  /** Chance that a passing check starts failing at a given sample. */
  failureRate?: number;
  /** Samples a failure lasts. */
  failureLength?: number;
  seed?: number;
}

export interface SimulationOutcome {
  samples: number;
  events: number;
}

export function checkName(index: number): string {
  return `service-${String(index + 1).padStart(4, '0')}`;
}

export async function simulateHistory({
  recorder,
  checks,
  intervalMs,
  start,
  durationMs,
  scope,
  failureRate = 0.002,
  failureLength = 3,
  seed = 8,
}: SimulationOptions): Promise<SimulationOutcome> {
  const random = seededRandom(seed);
  const names = Array.from({ length: checks }, (_, index) => checkName(index));
  // Each check has its own typical latency (a nearby API vs a slow one across the world).
  const typicalMs = names.map(() => 15 + random() * 250);
  const failingFor = new Array<number>(checks).fill(0);
  const previous = new Array<HealthStatus | undefined>(checks).fill(undefined);
  let samples = 0;
  let events = 0;
  for (let at = start.getTime(); at < start.getTime() + durationMs; at += intervalMs) {
    for (let index = 0; index < checks; index++) {
      // Checks of one interval are spread over it, as the scheduler spreads them.
      const checkedAt = new Date(at + Math.floor((index / checks) * intervalMs));
      if (failingFor[index] === 0 && random() < failureRate) failingFor[index] = failureLength;
      const failing = failingFor[index]! > 0;
      if (failing) failingFor[index]!--;
      const status: HealthStatus = failing ? 'fail' : 'pass';
      const output = failing ? (random() < 0.5 ? 'HTTP 503, expected 200' : 'timed out after 10000 ms') : undefined;
      const latencyMs = failing && output?.startsWith('timed out') ? undefined : typicalMs[index]! * (0.7 + random() * 0.6 + (random() < 0.01 ? 3 : 0));
      const component = names[index]!;
      recorder.recordSample({ component, scope, status, latencyMs, output, checkedAt });
      samples++;
      if (previous[index] !== status) {
        recorder.recordEvent({ component, scope, kind: 'transition', from: previous[index], to: status, output, occurredAt: checkedAt });
        events++;
        previous[index] = status;
      }
    }
    // One interval's rows are written before the next is produced, as in real time: the
    // recorder's buffer is bounded and would shed rows produced faster than they are written.
    await recorder.flush();
  }
  return { samples, events };
}

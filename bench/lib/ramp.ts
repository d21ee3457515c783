/**
 * A concurrency ramp: one measured window per step of connections against one URL, each judged
 * against a latency objective (p99 at most `objectiveMs` and no error or non-2xx answer). The
 * knee is the last step of the unbroken run of steps from the first that meet it.
 */
import { aggregate } from './aggregate.ts';
import { measure, type WindowResult } from './measure.ts';
import type { Row } from './scenario.ts';

export interface RampTarget {
  label: string;
  url: string;
  headers?: Record<string, string>;
  objectiveMs: number;
}

export interface RampStep {
  connections: number;
  window: WindowResult;
  row: Row;
  meets: boolean;
}

export function objectiveOf(target: RampTarget): string {
  return `p99 ≤ ${target.objectiveMs} ms, no errors`;
}

export async function measureStep({
  target,
  connections,
  seconds,
  pid,
  label = `${target.label}, ${connections} connections`,
}: {
  target: RampTarget;
  connections: number;
  seconds: number;
  pid: number;
  label?: string;
}): Promise<RampStep> {
  const window = await measure({ label, pid, url: target.url, headers: target.headers ?? {}, seconds, connections });
  const row = aggregate(label, [window]);
  const { non2xx, timeouts, errors } = row.errors;
  const meets = row.latencyMs.p99 <= target.objectiveMs && non2xx + timeouts + errors === 0;
  row.target = objectiveOf(target);
  row.pass = meets;
  return { connections, window, row, meets };
}

/** Runs every step (also past the knee: what happens there is the point of a stress test). */
export async function runRamp({
  target,
  steps,
  seconds,
  pid,
  afterStep = async () => {},
}: {
  target: RampTarget;
  steps: readonly number[];
  seconds: number;
  pid: number;
  /** Called after each step, e.g. to read what side clients saw during it. */
  afterStep?: (step: RampStep) => Promise<void>;
}): Promise<{ steps: RampStep[]; knee: RampStep | undefined }> {
  const measured: RampStep[] = [];
  for (const connections of steps) {
    const step = await measureStep({ target, connections, seconds, pid });
    measured.push(step);
    await afterStep(step);
  }
  return { steps: measured, knee: kneeOf(measured) };
}

/** The last step before the first that misses the objective; none when the first misses already. */
export function kneeOf<Step extends { meets: boolean }>(steps: readonly Step[]): Step | undefined {
  const firstMiss = steps.findIndex((step) => !step.meets);
  return firstMiss === -1 ? steps.at(-1) : steps[firstMiss - 1];
}

/**
 * Every health component of Watchkeeper's own scope: its status as a number (0 pass, 1 warn,
 * 2 fail; a component not checked yet is left out) and how long its last check took.
 *
 * With thousands of components these two families are most of a scrape, and a component's lines
 * change only when its check does. Each component's lines are kept with the revision they were
 * formatted at (`ComponentState.revision`, unique and moved on every change) and formatted again
 * only when it moved; the exposition takes them one at a time, so it can give the event loop back
 * in between.
 */
import type { Registry } from 'prom-client';
import type { HealthStatus } from '../../../../contracts/health.ts';
import type { ComponentState, HealthMonitor } from '../../health/index.ts';
import { escapeLabelValue, formatValue } from '../exposition.ts';

const STATUS_VALUE: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
const STATUS = 'watchkeeper_health_status';
const DURATION = 'watchkeeper_health_check_duration_seconds';

interface KeptLines {
  revision: number;
  status: string;
  duration: string;
  /** The scrape that last saw the component, so the lines of removed ones can be dropped. */
  seen: number;
}

export function registerHealthMetrics({ registry, monitor }: { registry: Registry; monitor: HealthMonitor }): void {
  const kept = new Map<string, KeptLines>();
  let scrape = 0;

  function linesOf(state: ComponentState): KeptLines {
    let lines = kept.get(state.id);
    if (lines?.revision !== state.revision) {
      const component = escapeLabelValue(state.id);
      lines = {
        revision: state.revision,
        status:
          state.status === undefined
            ? ''
            : `${STATUS}{component="${component}",type="${escapeLabelValue(state.componentType)}",critical="${state.critical}"} ${STATUS_VALUE[state.status]}\n`,
        duration: state.latencyMs === undefined ? '' : `${DURATION}{component="${component}"} ${formatValue(state.latencyMs / 1000)}\n`,
        seen: scrape,
      };
      kept.set(state.id, lines);
    }
    lines.seen = scrape;
    return lines;
  }

  let listed = 0;
  function* family(name: string, help: string, pick: (lines: KeptLines) => string): Generator<string> {
    yield `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
    listed = 0;
    for (const state of monitor.list()) {
      listed++;
      yield pick(linesOf(state));
    }
  }

  /** The plain samples, for readers other than the exposition (prom-client's own, JSON). */
  const samples = (value: (state: ComponentState) => number | undefined, labels: (state: ComponentState) => Record<string, string>) =>
    monitor.list().flatMap((state) => {
      const v = value(state);
      return v === undefined ? [] : [{ labels: labels(state), value: v }];
    });

  registry.registerMetric({
    name: STATUS,
    help: '',
    type: 'gauge',
    pieces: () => {
      scrape++;
      return family(STATUS, 'Latest status of each of Watchkeeper’s health components: 0 pass, 1 warn, 2 fail', (lines) => lines.status);
    },
    get: async () => ({
      name: STATUS,
      help: 'Latest status of each of Watchkeeper’s health components: 0 pass, 1 warn, 2 fail',
      type: 'gauge',
      values: samples(
        (state) => (state.status === undefined ? undefined : STATUS_VALUE[state.status]),
        (state) => ({ component: state.id, type: state.componentType, critical: String(state.critical) }),
      ),
    }),
    reset: () => {},
  } as never);
  registry.registerMetric({
    name: DURATION,
    help: '',
    type: 'gauge',
    pieces: function* () {
      yield* family(DURATION, 'How long each health component’s last check took', (lines) => lines.duration);
      // Components removed since: their lines go.
      if (kept.size > listed) for (const [id, lines] of kept) if (lines.seen !== scrape) kept.delete(id);
    },
    get: async () => ({
      name: DURATION,
      help: 'How long each health component’s last check took',
      type: 'gauge',
      values: samples(
        (state) => (state.latencyMs === undefined ? undefined : state.latencyMs / 1000),
        (state) => ({ component: state.id }),
      ),
    }),
    reset: () => {},
  } as never);
}

/** Event loop delay as the liveness monitor sees it, reported as a component for the status page. */
import type { EventLoopMonitor } from '../event-loop-monitor.ts';
import type { ProbeDefinition } from '../../../platform/probes/index.ts';

export function createEventLoopProbe({ monitor, stallMs, intervalMs }: { monitor: EventLoopMonitor; stallMs: number; intervalMs?: number }): ProbeDefinition {
  return {
    id: 'event-loop',
    componentType: 'system',
    critical: false,
    intervalMs,
    async check() {
      const { delayP99Ms, maxDelayMs } = monitor.snapshot();
      const status = maxDelayMs >= stallMs ? 'fail' : delayP99Ms >= stallMs / 10 ? 'warn' : 'pass';
      const output = status === 'pass' ? undefined : `event loop delayed up to ${maxDelayMs.toFixed(0)} ms (p99 ${delayP99Ms.toFixed(1)} ms)`;
      return {
        status,
        output,
        measurements: [
          { name: 'delayP99', observedValue: Math.round(delayP99Ms * 100) / 100, observedUnit: 'ms', status },
          { name: 'delayMax', observedValue: Math.round(maxDelayMs * 100) / 100, observedUnit: 'ms', status },
        ],
      };
    },
  };
}

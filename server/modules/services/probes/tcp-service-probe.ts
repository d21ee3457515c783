/** A TCP service: healthy when a connection to host:port opens. Nothing is sent. */
import { connect } from 'node:net';
import type { TcpService } from '../../../../contracts/services.ts';
import type { ProbeDefinition, ProbeResult } from '../../health/index.ts';
import { describeNetworkError } from './describe-network-error.ts';
import type { TargetGuard } from './target-guard.ts';

export function createTcpServiceProbe(service: TcpService, guard?: TargetGuard): ProbeDefinition {
  const { host, port } = service;
  return {
    id: service.name,
    componentType: 'external',
    componentId: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    critical: service.critical,
    intervalMs: service.intervalMs,
    timeoutMs: service.timeoutMs,
    check({ signal }) {
      return new Promise<ProbeResult>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error);
        try {
          guard?.assertLiteralAllowed(host);
        } catch (error) {
          return reject(error as Error);
        }
        const started = performance.now();
        const socket = connect({ host, port, ...(guard ? { lookup: guard.lookup } : {}) });
        const finish = () => {
          signal.removeEventListener('abort', onAbort);
          socket.destroy();
        };
        const onAbort = () => {
          finish();
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => {
          const latencyMs = performance.now() - started;
          finish();
          resolve({
            status: 'pass',
            measurements: [{ name: 'latency', observedValue: Math.round(latencyMs * 1000) / 1000, observedUnit: 'ms', status: 'pass' }],
          });
        });
        socket.once('error', (error) => {
          finish();
          reject(new Error(describeNetworkError(error), { cause: error }));
        });
      });
    },
  };
}

/** An HTTP(S) service: one request; healthy when the answer's status is one it expects. */
import { Agent, fetch, type Response } from 'undici';
import type { HttpService } from '../../../../contracts/services.ts';
import type { ProbeDefinition } from '../../health/index.ts';
import { describeNetworkError } from './describe-network-error.ts';
import type { TargetGuard } from './target-guard.ts';

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * undici's own fetch (rather than Node's global one) so a guarded probe can pass a dispatcher
 * whose connections resolve through the guard's lookup.
 */
export function createHttpServiceProbe(service: HttpService, guard?: TargetGuard): ProbeDefinition {
  // fetch refuses URLs with credentials, so they travel as a Basic authorization header instead;
  // the reported componentId leaves them (and the query, which may hold a token) out.
  const target = new URL(service.url);
  const headers: Record<string, string> = { 'user-agent': 'watchkeeper-health-check', accept: '*/*' };
  if (target.username || target.password) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const expected = service.expectedStatus;
  const dispatcher = guard ? new Agent({ connect: { lookup: guard.lookup } }) : undefined;

  return {
    id: service.name,
    componentType: 'external',
    componentId: `${service.method} ${target.origin}${target.pathname}`,
    critical: service.critical,
    intervalMs: service.intervalMs,
    timeoutMs: service.timeoutMs,
    async check({ signal }) {
      const started = performance.now();
      let response: Response;
      try {
        guard?.assertLiteralAllowed(target.hostname);
        // A redirect is an answer in its own right: following it would check another service.
        response = await fetch(target, { method: service.method, headers, signal, redirect: 'manual', ...(dispatcher ? { dispatcher } : {}) });
      } catch (error) {
        throw signal.aborted ? signal.reason : new Error(describeNetworkError(error), { cause: error });
      }
      const latencyMs = performance.now() - started;
      // Only the status matters; release the connection without reading the body.
      await response.body?.cancel().catch(() => undefined);
      const ok = expected.includes(response.status);
      const output = ok ? undefined : `HTTP ${response.status}, expected ${expected.join(' or ')}`;
      return {
        status: ok ? 'pass' : 'fail',
        output,
        measurements: [
          { name: 'statusCode', observedValue: response.status, status: ok ? 'pass' : 'fail', ...(output ? { output } : {}) },
          { name: 'latency', observedValue: round(latencyMs), observedUnit: 'ms', status: 'pass' },
        ],
      };
    },
  };
}

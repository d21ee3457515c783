/**
 * The health probe of one external service: its kind's check (HTTP or TCP) behind a circuit
 * breaker, listed in the `services` group, with the last error kept visible after recovery.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { HealthStatus } from '../../../contracts/health.ts';
import type { ExternalService } from '../../../contracts/services.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { Measurement, ProbeDefinition, ProbeResult } from '../health/index.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { createHttpServiceProbe } from './probes/http-service-probe.ts';
import { createTcpServiceProbe } from './probes/tcp-service-probe.ts';
import type { TargetGuard } from './probes/target-guard.ts';

export const SERVICES_GROUP = 'services';
export const OPEN_BREAKER_ACTION = 'open the circuit breaker';

export interface ServiceProbeOptions {
  service: ExternalService;
  scope: TenantScope;
  breaker: CircuitBreaker;
  /** The monitor's record of this component's last failure. */
  lastError: () => { message: string; at: Date } | undefined;
  logger: Logger;
  /** Refuses targets in blocked networks (given for tenants' services, not Watchkeeper's own). */
  guard?: TargetGuard | undefined;
}

function createKindProbe(service: ExternalService, guard: TargetGuard | undefined): ProbeDefinition {
  switch (service.type) {
    case 'http':
      return createHttpServiceProbe(service, guard);
    case 'tcp':
      return createTcpServiceProbe(service, guard);
  }
}

export function createServiceProbe({ service, scope, breaker, lastError, logger, guard }: ServiceProbeOptions): ProbeDefinition {
  const probe = createKindProbe(service, guard);
  const name = service.name;

  const circuit = (): Measurement => {
    const state = breaker.state;
    const next = breaker.nextTrialAt;
    return {
      name: 'circuit',
      observedValue: state,
      status: state === 'open' ? 'fail' : 'pass',
      ...(state === 'open' && next ? { output: `open until ${next.toISOString()}` } : {}),
    };
  };

  // The report shows the current output only; this keeps the previous failure in view once the
  // service passes again. A current failure is its own last error.
  const lastErrorMeasurement = (status: HealthStatus, current: string | undefined): Measurement[] => {
    const last = status === 'fail' && current ? { message: current, at: new Date() } : lastError();
    return last ? [{ name: 'lastError', observedValue: last.at.toISOString(), status, output: last.message }] : [];
  };

  const trialFailed = () => {
    logger.warn({ component: name, breaker: 'open' }, `half-open trial of ${name} failed; circuit breaker open again`);
    return `half-open trial failed, circuit open again until ${breaker.nextTrialAt?.toISOString()}`;
  };

  return {
    ...probe,
    scope,
    groups: [SERVICES_GROUP],
    async check(context): Promise<ProbeResult> {
      const admission = breaker.admit();
      // Thrown rather than returned: the monitor keeps errors out of the latency baseline, and a
      // check that returns at once because nothing was called says nothing about the service.
      if (!admission.allowed) throw new Error(`${admission.reason}, next trial at ${admission.nextTrialAt.toISOString()}`);

      let result: ProbeResult;
      try {
        result = await probe.check(context);
      } catch (error) {
        if (!admission.trial) throw error;
        breaker.record(admission, false);
        throw new Error(`${error instanceof Error ? error.message : String(error)}; ${trialFailed()}`, { cause: error });
      }
      const status = result.status ?? 'pass';
      let output = result.output;
      if (admission.trial) {
        breaker.record(admission, status !== 'fail');
        if (status === 'fail') output = `${output ?? 'failed'}; ${trialFailed()}`;
        else logger.info({ component: name, breaker: 'closed' }, `half-open trial of ${name} passed; circuit breaker closed`);
      }
      return {
        status,
        ...(output !== undefined ? { output } : {}),
        measurements: [...(result.measurements ?? []), circuit(), ...lastErrorMeasurement(status, output)],
      };
    },
    recover: {
      action: OPEN_BREAKER_ACTION,
      async run() {
        // Failures go on being counted while the breaker is open; re-opening would only push the trial back.
        if (breaker.state !== 'closed') return `circuit breaker already open; next trial at ${(breaker.nextTrialAt ?? new Date()).toISOString()}`;
        breaker.open();
        return `opened the circuit breaker: ${name} is not called until a half-open trial at ${breaker.nextTrialAt!.toISOString()}`;
      },
    },
  };
}

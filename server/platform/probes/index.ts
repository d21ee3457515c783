/**
 * The probe API, below every feature: platform plugins and features define probes and register
 * them with `app.health`; the health feature (modules/health) runs them and reports the results.
 */
import type { ProbeDefinition } from './probe.ts';

export type { ProbeDefinition, ProbeResult, ProbeContext, Measurement } from './probe.ts';

/** Where probes are registered. The health feature provides it, and widens it to its monitor. */
export interface ProbeRegistry {
  register(probe: ProbeDefinition): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Decorated by the health feature, which registers after the platform (check `hasDecorator`). */
    health: ProbeRegistry;
  }
}

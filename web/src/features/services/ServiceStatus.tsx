import type { ServiceHealth, ServiceRecord } from '../../../../contracts/services.ts';
import { StatusMark } from '../overview/StatusBanner.tsx';

const WORDS = { pass: 'Up', warn: 'Degraded', fail: 'Down' } as const;

/** A service's latest result in words and a mark (never by colour alone). */
export function ServiceStatus({ health }: { health: ServiceHealth }) {
  if (health.status === null) return <span className="muted">Not checked yet</span>;
  return (
    <>
      <StatusMark status={health.status} /> {WORDS[health.status]}
    </>
  );
}

export const latency = (health: ServiceHealth) => (health.latencyMs === null ? '—' : `${Math.round(health.latencyMs)} ms`);

export function CheckedAt({ at }: { at: string | null }) {
  if (!at) return <span className="muted">never</span>;
  return <time dateTime={at}>{at.replace('T', ' ').slice(0, 19)} UTC</time>;
}

/** What is checked: the request or the address. */
export const targetOf = (service: ServiceRecord) => (service.type === 'http' ? `${service.method} ${service.url}` : `${service.host}:${service.port}`);

/**
 * The full reports (`/health/status`, `/health/<group>`) as JSON, assembled from each component's
 * serialized checks, kept until that component's state changes. With 10,000 services a report is
 * megabytes, and some component changes every few milliseconds: rebuilding and serializing every
 * entry through the zod schema took seconds per request; now a request serializes only what changed
 * since the last one, and joins the rest. The result is the document `buildHealthReport` gives,
 * which the tests check against the route's schema.
 */
import type { ComponentState } from './component-state.ts';
import { checkEntries, reportOutput, type ReportSummary, type ServiceIdentity } from './health-report.ts';

interface Piece {
  revision: number;
  /** The component's `"<id>:<measurement>": [...]` members of `checks`, without the braces. */
  json: string;
}

export class HealthReportSerializer {
  // Weak: a component that is unregistered takes its piece with it.
  readonly #pieces = new WeakMap<ComponentState, Piece>();
  readonly #identity: ServiceIdentity;

  constructor({ identity }: { identity: ServiceIdentity }) {
    this.#identity = identity;
  }

  #piece(state: ComponentState): string {
    let piece = this.#pieces.get(state);
    if (piece?.revision !== state.revision) {
      piece = { revision: state.revision, json: JSON.stringify(checkEntries(state)).slice(1, -1) };
      this.#pieces.set(state, piece);
    }
    return piece.json;
  }

  serialize(states: readonly ComponentState[], { description, status, notes = [], output }: ReportSummary): string {
    const identity = this.#identity;
    const summary = reportOutput(states, output);
    const checks = states.map((state) => this.#piece(state)).filter((json) => json.length > 0);
    return (
      `{"status":${JSON.stringify(status)},"version":${JSON.stringify(identity.version)},"releaseId":${JSON.stringify(identity.releaseId)}` +
      `,"serviceId":${JSON.stringify(identity.serviceId)},"description":${JSON.stringify(description)},"notes":${JSON.stringify(notes)}` +
      (summary === undefined ? '' : `,"output":${JSON.stringify(summary)}`) +
      `,"checks":{${checks.join(',')}}}`
    );
  }
}

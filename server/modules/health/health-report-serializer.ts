/**
 * The full reports (`/health/status`, `/health/<group>`) as JSON, assembled from each component's
 * serialized checks, kept until that component's state changes (serialized-blocks.ts). With 10,000
 * services a report is megabytes, and some component changes every few milliseconds: rebuilding
 * and serializing every entry through the zod schema took seconds per request. The result is the
 * document `buildHealthReport` gives, which the tests check against the route's schema.
 */
import type { ComponentState } from './component-state.ts';
import { checkEntries, reportOutput, type ReportSummary, type ServiceIdentity } from './health-report.ts';
import { SerializedBlocks } from './serialized-blocks.ts';

export class HealthReportSerializer {
  readonly #identity: ServiceIdentity;
  // Per list read (the full report, each group): their blocks hold different runs of components.
  readonly #lists = new Map<string, SerializedBlocks<ComponentState>>();

  constructor({ identity }: { identity: ServiceIdentity }) {
    this.#identity = identity;
  }

  #blocks(list: string): SerializedBlocks<ComponentState> {
    let blocks = this.#lists.get(list);
    if (!blocks) {
      // A component's `"<id>:<measurement>": [...]` members of `checks`, without the braces.
      blocks = new SerializedBlocks<ComponentState>({
        revisionOf: (state) => state.revision,
        serialize: (state) => JSON.stringify(checkEntries(state)).slice(1, -1),
      });
      this.#lists.set(list, blocks);
    }
    return blocks;
  }

  /**
   * `list` names the read (e.g. `status`, or a group) so each keeps its own blocks. `gzip`: the
   * same bytes as one gzip member, from blocks deflated once each (serialized-blocks.ts).
   */
  serialize(
    states: readonly ComponentState[],
    { description, status, notes = [], output, links }: ReportSummary & { links?: Record<string, string> },
    list = 'status',
    encoding: 'identity' | 'gzip' = 'identity',
  ): Buffer {
    const identity = this.#identity;
    const summary = reportOutput(states, output);
    const head = Buffer.from(
      `{"status":${JSON.stringify(status)},"version":${JSON.stringify(identity.version)},"releaseId":${JSON.stringify(identity.releaseId)}` +
        `,"serviceId":${JSON.stringify(identity.serviceId)},"description":${JSON.stringify(description)},"notes":${JSON.stringify(notes)}` +
        (summary === undefined ? '' : `,"output":${JSON.stringify(summary)}`) +
        `,"checks":{`,
    );
    const tail = Buffer.from(links ? `},"links":${JSON.stringify(links)}}` : '}}');
    const blocks = this.#blocks(list);
    return encoding === 'gzip' ? blocks.gzip(states, head, tail) : Buffer.concat([head, blocks.join(states), tail]);
  }
}

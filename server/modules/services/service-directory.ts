/**
 * The one place that knows where external services come from — the config file or the database —
 * enforces the naming rules, and keeps this instance's probes in step with every change.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';
import type { ExternalService, ServiceHealth, ServiceRecord, ServiceReplacement } from '../../../contracts/services.ts';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_REPORT_SNAPSHOTS,
  etagOf,
  ReadSnapshots,
  SerializedBlocks,
  type BodyEncoding,
  type ComponentState,
  type ReportSnapshotSettings,
} from '../health/index.ts';
import { SYSTEM_SCOPE, sameScope, type TenantScope } from '../../../contracts/tenancy.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ServiceProbeRegistry, ReconcileResult, WantedService } from './service-probe-registry.ts';
import type { ServicesRepository, StoredService } from './services-repository.ts';
import { encodeServicesCursor } from './services.schemas.ts';

export interface ServiceDirectoryOptions {
  /** Services from the config file: they belong to Watchkeeper's own scope and are read-only. */
  configured: ExternalService[];
  repository: ServicesRepository;
  probes: ServiceProbeRegistry;
  logger: Logger;
  configFile?: string | undefined;
  /** How many services one project may have through the API (each is checked by every instance). */
  maxPerProject?: number;
  /** How the lists' answers are kept while the services' results keep changing (read-snapshots.ts). */
  snapshots?: ReportSnapshotSettings;
}

/** A page of `GET /api/services`: `limit` services after the one named `after` (all of them without a limit). */
export interface ListQuery {
  limit?: number | undefined;
  after?: string | undefined;
}

/** `GET /api/services`'s body, made once per change (see listAnswer). */
export interface ListAnswer {
  body: Buffer;
  etag: string;
}

/** What the list holds: a config-file service, or a stored one (its record is made from it with the latest result). */
type ListEntry = ExternalService | StoredService;
const isStored = (entry: ListEntry): entry is StoredService => 'service' in entry;
const nameOf = (entry: ListEntry) => (isStored(entry) ? entry.service.name : entry.name);

/** What a write also does inside its transaction, e.g. append its audit record. */
export interface WriteOptions {
  within?: (trx: Transaction<Database>) => Promise<void>;
}

function healthOf(state: ComponentState | undefined): ServiceHealth {
  return {
    status: state?.status ?? null,
    output: state?.status === undefined ? null : (state.output ?? null),
    latencyMs: state?.latencyMs ?? null,
    checkedAt: state?.checkedAt?.toISOString() ?? null,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
  };
}

// One collator for every comparison: `localeCompare` looks one up per call, which with 10,000
// services made sorting the list a large part of answering it. Same order (the default locale's).
const byName = new Intl.Collator().compare;
const ITEMS_OPEN = Buffer.from('{"items":[');

export class ServiceDirectory {
  readonly #configured: Map<string, ExternalService>;
  /** The config file's services in list order, sorted once: they never change while running. */
  readonly #configuredSorted: ExternalService[];
  readonly #repository: ServicesRepository;
  readonly #probes: ServiceProbeRegistry;
  readonly #logger: Logger;
  readonly #configFile: string;
  readonly #maxPerProject: number;
  /**
   * The stored services' fingerprint at the last full sync. Local writes clear it: they change
   * the probes without a sync, and the table may later return to the fingerprinted state (a
   * service created here, then removed with its project) while the probes did not.
   */
  #syncedFingerprint: string | undefined;
  // Per list entry, its JSON is kept until its probe's state changes; stored entries are the
  // objects of the cached list, so theirs are kept too until the list is read again. The full
  // lists and the pages keep blocks of their own: blocks hold runs of entries by position.
  readonly #listBlocks = this.#blocks();
  readonly #pageBlocks = this.#blocks();
  /** The merged, sorted entries per cached list of stored services (the same array until the list changes). */
  readonly #merged = new WeakMap<StoredService[], ListEntry[]>();
  readonly #contents = new WeakMap<StoredService[], string>();
  readonly #answers: ReadSnapshots<ListAnswer>;
  readonly #snapshots: ReportSnapshotSettings;
  /** Moves with every write through this directory, so a kept answer never hides the writer's own change. */
  #writes = 0;
  /** An answer's ETag: this instance (a restart counts afresh) and the answer's build number. */
  readonly #instance = randomUUID();
  #built = 0;
  // Writes and reconciliations run one at a time on this instance, so a reconciliation that read
  // the table before a write committed cannot remove the probe that write just added.
  #queue: Promise<unknown> = Promise.resolve();

  constructor({
    configured,
    repository,
    probes,
    logger,
    configFile,
    maxPerProject = Number.POSITIVE_INFINITY,
    snapshots = DEFAULT_REPORT_SNAPSHOTS,
  }: ServiceDirectoryOptions) {
    this.#maxPerProject = maxPerProject;
    this.#snapshots = snapshots;
    this.#answers = new ReadSnapshots({ now: snapshots.now, max: 16 });
    this.#configured = new Map(configured.map((service) => [service.name, service]));
    this.#configuredSorted = [...this.#configured.values()].sort((a, b) => byName(a.name, b.name));
    this.#repository = repository;
    this.#probes = probes;
    this.#logger = logger;
    this.#configFile = configFile ?? 'the config file';
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // Config-file services are the operator's own: only Watchkeeper's scope sees them.
  #configuredIn(scope: TenantScope): Map<string, ExternalService> {
    return sameScope(scope, SYSTEM_SCOPE) ? this.#configured : new Map();
  }

  #blocks(): SerializedBlocks<ListEntry> {
    return new SerializedBlocks<ListEntry>({
      revisionOf: (entry) =>
        (isStored(entry) ? this.#probes.state(entry.service.name, entry.scope) : this.#probes.state(entry.name, SYSTEM_SCOPE))?.revision ?? -1,
      serialize: (entry) => JSON.stringify(isStored(entry) ? this.#fromStore(entry) : this.#fromConfig(entry)),
    });
  }

  /** Every service of the scope, by name. */
  async list(scope: TenantScope): Promise<ServiceRecord[]> {
    return (await this.#entries(scope)).map((entry) => (isStored(entry) ? this.#fromStore(entry) : this.#fromConfig(entry)));
  }

  /**
   * `GET /api/services`'s body (`{"items":[…],"nextCursor":…}` as UTF-8, or gzipped) and its
   * ETag: what JSON.stringify of `{ items: list(scope), nextCursor }` gives, made from pieces kept
   * per service until its state changes, without rebuilding and encoding 10,000 records per
   * request. The whole answer is kept too: rebuilt at once when the services change (a write
   * here, or the stored list read again after a change was heard), and when only their results
   * changed, at most once per window (read-snapshots.ts), since 10,000 checks change some result
   * every few milliseconds.
   */
  async listAnswer(scope: TenantScope, { limit, after }: ListQuery = {}, encoding: BodyEncoding = 'identity'): Promise<ListAnswer> {
    const stored = await this.#repository.list(scope);
    const key = `${scope.organizationId} ${scope.projectId} ${encoding} ${limit ?? ''} ${after ?? ''}`;
    const entries = this.#merge(scope, stored);
    const windowMs = entries.length >= this.#snapshots.coalesceFrom ? this.#snapshots.windowMs : 0;
    return this.#answers.get(key, { exact: [this.#contentOf(stored), this.#writes], coalesced: [this.#probes.resultsVersion], windowMs }, () => {
      const paged = limit !== undefined || after !== undefined;
      const start = after === undefined ? 0 : firstAfter(entries, after);
      const end = limit === undefined ? entries.length : Math.min(entries.length, start + limit);
      const page = paged ? entries.slice(start, end) : entries;
      const nextCursor = end < entries.length ? encodeServicesCursor(nameOf(entries[end - 1]!)) : null;
      const tail = Buffer.from(`],"nextCursor":${JSON.stringify(nextCursor)}}`);
      const blocks = paged ? this.#pageBlocks : this.#listBlocks;
      // Gzipped from blocks deflated once per change: the same bytes, ~15× fewer of them at 10,000.
      const body = encoding === 'gzip' ? blocks.gzip(page, ITEMS_OPEN, tail) : Buffer.concat([ITEMS_OPEN, blocks.join(page), tail]);
      return { body, etag: etagOf([this.#instance, key, ++this.#built], encoding) };
    });
  }

  /**
   * What the stored list holds, as a string that changes with any of its services: the cached
   * list is the same array until a change is heard, but a list read afresh (the cache off, or not
   * hearing) is a new array with the same content, which must not defeat the kept answers.
   */
  #contentOf(list: StoredService[]): string {
    let content = this.#contents.get(list);
    if (content === undefined) {
      content = list.map(({ service, updatedAt }) => `${service.name}@${updatedAt.getTime()}`).join(',');
      this.#contents.set(list, content);
    }
    return content;
  }

  /** The config file's services (already in order) merged with the stored ones, by name. */
  async #entries(scope: TenantScope): Promise<ListEntry[]> {
    return this.#merge(scope, await this.#repository.list(scope));
  }

  #merge(scope: TenantScope, list: StoredService[]): ListEntry[] {
    const merged = this.#merged.get(list);
    if (merged) return merged;
    const configured = this.#configuredIn(scope);
    const stored = list.filter((s) => !configured.has(s.service.name)).sort((a, b) => byName(a.service.name, b.service.name));
    const fromConfig = configured.size > 0 ? this.#configuredSorted : [];
    const entries: ListEntry[] = [];
    let next = 0;
    for (const service of fromConfig) {
      while (next < stored.length && byName(stored[next]!.service.name, service.name) < 0) entries.push(stored[next++]!);
      entries.push(service);
    }
    while (next < stored.length) entries.push(stored[next++]!);
    this.#merged.set(list, entries);
    return entries;
  }

  async get(scope: TenantScope, name: string): Promise<ServiceRecord> {
    const configured = this.#configuredIn(scope).get(name);
    if (configured) return this.#fromConfig(configured);
    const stored = await this.#repository.get(scope, name);
    if (!stored) throw new AppError('WK_ERR_SERVICE_NOT_FOUND', `no external service named "${name}"`);
    return this.#fromStore(stored);
  }

  create(scope: TenantScope, service: ExternalService, { within }: WriteOptions = {}): Promise<ServiceRecord> {
    return this.#serially(async () => {
      this.#assertNotReserved(scope, service.name);
      if ((await this.#repository.count(scope)) >= this.#maxPerProject) {
        throw new AppError(
          'WK_ERR_SERVICE_LIMIT_REACHED',
          `this project already has ${this.#maxPerProject} external services, the most one project may have (SERVICES_MAX_PER_PROJECT)`,
        );
      }
      const stored = await this.#repository.transaction(async (trx) => {
        const created = await this.#repository.create(scope, service, trx);
        if (!created)
          throw new AppError('WK_ERR_SERVICE_NAME_TAKEN', `an external service named "${service.name}" already exists`, {
            fieldErrors: [{ pointer: '/body/name', detail: 'is already taken' }],
          });
        await within?.(trx);
        return created;
      });
      this.#syncedFingerprint = undefined;
      this.#writes++;
      this.#probes.put({ service: stored.service, scope });
      return this.#fromStore(stored);
    });
  }

  replace(scope: TenantScope, name: string, replacement: ServiceReplacement, { within }: WriteOptions = {}): Promise<ServiceRecord> {
    return this.#serially(async () => {
      if (replacement.name !== undefined && replacement.name !== name) {
        throw new AppError(
          'WK_ERR_VALIDATION',
          `the body names "${replacement.name}" but the path names "${name}"; a service is renamed by deleting and creating it`,
          {
            fieldErrors: [{ pointer: '/body/name', detail: `must be "${name}" (the name in the path) or left out` }],
          },
        );
      }
      this.#assertWritable(scope, name);
      const stored = await this.#repository.transaction(async (trx) => {
        const updated = await this.#repository.update(scope, { ...replacement, name } as ExternalService, trx);
        if (!updated) throw new AppError('WK_ERR_SERVICE_NOT_FOUND', `no external service named "${name}"`);
        await within?.(trx);
        return updated;
      });
      this.#syncedFingerprint = undefined;
      this.#writes++;
      this.#probes.put({ service: stored.service, scope });
      return this.#fromStore(stored);
    });
  }

  remove(scope: TenantScope, name: string, { within }: WriteOptions = {}): Promise<void> {
    return this.#serially(async () => {
      this.#assertWritable(scope, name);
      await this.#repository.transaction(async (trx) => {
        if (!(await this.#repository.delete(scope, name, trx))) throw new AppError('WK_ERR_SERVICE_NOT_FOUND', `no external service named "${name}"`);
        await within?.(trx);
      });
      this.#syncedFingerprint = undefined;
      this.#writes++;
      this.#probes.remove(name, scope);
    });
  }

  /**
   * Brings this instance's probes in line with the config file and the database — every tenant's
   * services — picking up changes made through other instances.
   */
  sync(): Promise<ReconcileResult> {
    return this.#serially(async () => {
      // Taken before the rows are read: a change that lands in between is read now and, the
      // fingerprint then differing, read again next time — never missed.
      const fingerprint = await this.#repository.fingerprint();
      if (fingerprint === this.#syncedFingerprint) return { added: [], replaced: [], removed: [] };
      const wanted: WantedService[] = [...this.#configured.values()].map((service) => ({ service, scope: SYSTEM_SCOPE }));
      const stored = await this.#repository.listAll((error) => this.#logger.error({ err: error }, 'a stored external service is not checked'));
      for (const { service, scope } of stored) {
        if (this.#configuredIn(scope).has(service.name)) continue; // the config file wins; create refuses such names anyway
        wanted.push({ service, scope });
      }
      const result = this.#probes.reconcile(wanted);
      this.#syncedFingerprint = fingerprint;
      if (result.added.length + result.replaced.length + result.removed.length > 0) this.#writes++;
      if (result.added.length + result.replaced.length + result.removed.length > 0) this.#logger.info(result, 'external service probes reconciled');
      return result;
    });
  }

  /** Runs a service's check now; the service must exist in the scope (404 otherwise). */
  async check(scope: TenantScope, name: string): Promise<ServiceRecord> {
    const record = await this.get(scope, name);
    // A service stored moments ago through another instance gets its probe at the next sync.
    if (!this.#probes.has(name, scope)) await this.sync();
    const state = await this.#probes.runNow(name, scope);
    return { ...record, health: healthOf(state) };
  }

  #fromConfig(service: ExternalService): ServiceRecord {
    return { ...service, source: 'config', createdAt: null, updatedAt: null, health: healthOf(this.#probes.state(service.name, SYSTEM_SCOPE)) };
  }

  #fromStore({ scope, service, createdAt, updatedAt }: StoredService): ServiceRecord {
    return {
      ...service,
      source: 'api',
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
      health: healthOf(this.#probes.state(service.name, scope)),
    };
  }

  #assertNotReserved(scope: TenantScope, name: string): void {
    const conflict = (detail: string) =>
      new AppError('WK_ERR_SERVICE_NAME_RESERVED', detail, { fieldErrors: [{ pointer: '/body/name', detail: 'is reserved' }] });
    if (this.#configuredIn(scope).has(name)) throw conflict(`"${name}" is declared in ${this.#configFile}`);
    if (this.#probes.isBuiltIn(name, scope)) throw conflict(`"${name}" is the name of a built-in health component`);
  }

  // Config-file services answer 409 rather than 405: PUT and DELETE are allowed on the resource
  // in general, it is this service's current state (owned by the file) that rules them out.
  #assertWritable(scope: TenantScope, name: string): void {
    if (this.#configuredIn(scope).has(name)) {
      throw new AppError(
        'WK_ERR_SERVICE_READ_ONLY',
        `"${name}" is declared in ${this.#configFile} and is read-only through the API; change it there and restart`,
      );
    }
  }
}

/** Where a page after the service named `after` starts: the first name after it, whether or not `after` is still listed. */
function firstAfter(entries: readonly ListEntry[], after: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (byName(nameOf(entries[middle]!), after) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

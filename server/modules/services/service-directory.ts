/**
 * The one place that knows where external services come from — the config file or the database —
 * enforces the naming rules, and keeps this instance's probes in step with every change.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { ExternalService, ServiceRecord, ServiceReplacement } from '../../../contracts/services.ts';
import { SYSTEM_SCOPE, type TenantScope } from '../../../contracts/tenancy.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ServiceProbeRegistry, ReconcileResult, WantedService } from './service-probe-registry.ts';
import type { ServicesRepository, StoredService } from './services-repository.ts';

export interface ServiceDirectoryOptions {
  /** Services from the config file: they belong to Watchkeeper's own scope and are read-only. */
  configured: ExternalService[];
  repository: ServicesRepository;
  probes: ServiceProbeRegistry;
  logger: Logger;
  configFile?: string | undefined;
}

const sameScope = (a: TenantScope, b: TenantScope) => a.organizationId === b.organizationId && a.projectId === b.projectId;

function fromConfig(service: ExternalService): ServiceRecord {
  return { ...service, source: 'config', createdAt: null, updatedAt: null };
}

function fromStore({ service, createdAt, updatedAt }: StoredService): ServiceRecord {
  return { ...service, source: 'api', createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

export class ServiceDirectory {
  readonly #configured: Map<string, ExternalService>;
  readonly #repository: ServicesRepository;
  readonly #probes: ServiceProbeRegistry;
  readonly #logger: Logger;
  readonly #configFile: string;
  // Writes and reconciliations run one at a time on this instance, so a reconciliation that read
  // the table before a write committed cannot remove the probe that write just added.
  #queue: Promise<unknown> = Promise.resolve();

  constructor({ configured, repository, probes, logger, configFile }: ServiceDirectoryOptions) {
    this.#configured = new Map(configured.map((service) => [service.name, service]));
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

  async list(scope: TenantScope): Promise<ServiceRecord[]> {
    const configured = this.#configuredIn(scope);
    const stored = (await this.#repository.list(scope)).filter((s) => !configured.has(s.service.name));
    return [...[...configured.values()].map(fromConfig), ...stored.map(fromStore)].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(scope: TenantScope, name: string): Promise<ServiceRecord> {
    const configured = this.#configuredIn(scope).get(name);
    if (configured) return fromConfig(configured);
    const stored = await this.#repository.get(scope, name);
    if (!stored) throw new AppError('WK_ERR_NOT_FOUND', `no external service named "${name}"`);
    return fromStore(stored);
  }

  create(scope: TenantScope, service: ExternalService): Promise<ServiceRecord> {
    return this.#serially(async () => {
      this.#assertNotReserved(scope, service.name);
      const stored = await this.#repository.create(scope, service);
      if (!stored) throw new AppError('WK_ERR_CONFLICT', `an external service named "${service.name}" already exists`, { fieldErrors: [{ pointer: '/body/name', detail: 'is already taken' }] });
      this.#probes.put({ service: stored.service, scope });
      return fromStore(stored);
    });
  }

  replace(scope: TenantScope, name: string, replacement: ServiceReplacement): Promise<ServiceRecord> {
    return this.#serially(async () => {
      if (replacement.name !== undefined && replacement.name !== name) {
        throw new AppError('WK_ERR_VALIDATION', `the body names "${replacement.name}" but the path names "${name}"; a service is renamed by deleting and creating it`, {
          fieldErrors: [{ pointer: '/body/name', detail: `must be "${name}" (the name in the path) or left out` }],
        });
      }
      this.#assertWritable(scope, name);
      const stored = await this.#repository.update(scope, { ...replacement, name } as ExternalService);
      if (!stored) throw new AppError('WK_ERR_NOT_FOUND', `no external service named "${name}"`);
      this.#probes.put({ service: stored.service, scope });
      return fromStore(stored);
    });
  }

  remove(scope: TenantScope, name: string): Promise<void> {
    return this.#serially(async () => {
      this.#assertWritable(scope, name);
      if (!(await this.#repository.delete(scope, name))) throw new AppError('WK_ERR_NOT_FOUND', `no external service named "${name}"`);
      this.#probes.remove(name);
    });
  }

  /**
   * Brings this instance's probes in line with the config file and the database, picking up
   * changes made through other instances.
   */
  sync(scope: TenantScope): Promise<ReconcileResult> {
    return this.#serially(async () => {
      const configured = this.#configuredIn(scope);
      const wanted: WantedService[] = [...configured.values()].map((service) => ({ service, scope }));
      for (const { service } of await this.#repository.list(scope)) {
        if (configured.has(service.name)) continue; // the config file wins; create refuses such names anyway
        wanted.push({ service, scope });
      }
      const result = this.#probes.reconcile(scope, wanted);
      if (result.added.length + result.replaced.length + result.removed.length > 0) this.#logger.info(result, 'external service probes reconciled');
      return result;
    });
  }

  #assertNotReserved(scope: TenantScope, name: string): void {
    const conflict = (detail: string) => new AppError('WK_ERR_CONFLICT', detail, { fieldErrors: [{ pointer: '/body/name', detail: 'is reserved' }] });
    if (this.#configuredIn(scope).has(name)) throw conflict(`"${name}" is declared in ${this.#configFile}`);
    if (this.#probes.isBuiltIn(name)) throw conflict(`"${name}" is the name of a built-in health component`);
  }

  // Config-file services answer 409 rather than 405: PUT and DELETE are allowed on the resource
  // in general, it is this service's current state (owned by the file) that rules them out.
  #assertWritable(scope: TenantScope, name: string): void {
    if (this.#configuredIn(scope).has(name)) {
      throw new AppError('WK_ERR_CONFLICT', `"${name}" is declared in ${this.#configFile} and is read-only through the API; change it there and restart`);
    }
  }
}

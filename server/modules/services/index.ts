/**
 * The `services` feature: external services (HTTP(S) URLs and TCP ports) checked by the health
 * monitor under the `services` group, each behind a circuit breaker, managed through /api/services
 * and the config file.
 */
import fp from 'fastify-plugin';
import { ConfigError, type Config } from '../../infra/config/index.ts';
import { ServiceDirectory } from './service-directory.ts';
import { ServiceProbeRegistry } from './service-probe-registry.ts';
import { createServicesRepository } from './services-repository.ts';
import { withCachedLists } from './cached-service-lists.ts';
import { createTargetGuard } from './probes/target-guard.ts';
import { servicesRoutes } from './services.routes.ts';

export { ServiceDirectory } from './service-directory.ts';
export { SERVICES_GROUP } from './service-probe.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: ServiceDirectory;
  }
}

export interface ServicesPluginOptions {
  config: Config;
  /** How long a breaker stays open when a service sets no `breakerCooldownMs`. */
  defaultCooldownMs?: number;
  /** How often this instance re-reads the stored services (default: the health interval). */
  syncIntervalMs?: number;
}

export const SERVICES_SYNC_JOB = 'services.sync';

export const servicesPlugin = fp<ServicesPluginOptions>(
  async (app, { config, defaultCooldownMs = 60_000, syncIntervalMs = config.health.intervalMs }) => {
    const logger = app.log.child({ component: 'services' });
    assertConfiguredNamesFree(config, (name) => app.health.has(name));

    const probes = new ServiceProbeRegistry({
      monitor: app.health,
      logger,
      defaultCooldownMs,
      tenantGuard: createTargetGuard(config.health.servicesTenantBlockedNetworks),
    });
    const directory = new ServiceDirectory({
      configured: config.services,
      repository: withCachedLists(createServicesRepository({ db: app.database.db }), {
        notifications: app.database.notifications,
        ttlMs: config.database.readCacheTtlMs,
      }),
      probes,
      logger,
      configFile: config.configFile,
      maxPerProject: config.health.servicesMaxPerProject,
    });
    app.decorate('services', directory);

    // Every instance checks every tenant's services; each tenant reads only its own.
    await directory.sync();
    // Not exclusive: each instance runs its own probes, so each must read the table itself. This
    // is how a change made through one instance reaches the others.
    // A deleted project or organization takes its services with it (foreign keys): stop checking
    // them now on this instance; the others follow at their next sync.
    app.events.on('tenancy.removed', async () => {
      await directory.sync();
    });
    app.scheduler.every({ name: SERVICES_SYNC_JOB, intervalMs: syncIntervalMs }, async () => {
      await directory.sync();
    });

    await app.register(servicesRoutes, { directory });
  },
  { name: 'services', dependencies: ['database', 'health', 'scheduler', 'audit'] },
);

/** A config-file service must not shadow a built-in component or another service. */
function assertConfiguredNamesFree(config: Config, isTaken: (name: string) => boolean): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  config.services.forEach(({ name }, index) => {
    if (seen.has(name)) problems.push(`services.${index}.name in ${config.configFile}: "${name}" is declared twice`);
    else if (isTaken(name)) problems.push(`services.${index}.name in ${config.configFile}: "${name}" is the name of a built-in health component`);
    seen.add(name);
  });
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join(' | ')}`);
}

/**
 * The `alerts` feature: alerts from outside (the Alertmanager API v2) and from Watchkeeper's own
 * rules in one store per project, silences, and — on the routing tree of each project's alerting
 * configuration — their receivers, groups and suppression.
 */
import fp from 'fastify-plugin';
import { alertmanagerApiRoutes } from './alertmanager-api.routes.ts';
import { createAlertingConfigs } from './alerting-config.ts';
import { createAlertsRepository } from './alerts-repository.ts';
import { createSilencesRepository } from './silences-repository.ts';

/** The Alertmanager API version whose objects and behaviour Watchkeeper's serve (clients check it). */
const ALERTMANAGER_API_LEVEL = '0.28.0';

export const alertsPlugin = fp<{ version: string }>(
  async (app, { version }) => {
    const alerts = createAlertsRepository(app.database.db);
    const silences = createSilencesRepository(app.database.db);
    const configs = createAlertingConfigs();
    await app.register(alertmanagerApiRoutes, {
      alerts,
      silences,
      configs,
      startedAt: new Date(),
      // semver build metadata: clients comparing versions see the API level, people see ours.
      version: `${ALERTMANAGER_API_LEVEL}+watchkeeper.${version}`,
    });
  },
  { name: 'alerts', dependencies: ['database', 'audit', 'auth'] },
);

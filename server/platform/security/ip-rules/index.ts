/**
 * The `ip-rules` plugin: allow/deny rules by address range, global or per route group, enforced
 * in an onRequest hook registered before authentication — a refused address never reaches the
 * login code. Rules are compiled into net.BlockLists, recompiled after each change through this
 * instance and reloaded from the database periodically for changes made through others.
 */
import fp from 'fastify-plugin';
import type { Config } from '../../../infra/config/index.ts';
import { sendProblem } from '../../errors/index.ts';
import { IpRuleSet } from './ip-rule-set.ts';
import { createIpRulesRepository } from './ip-rules-repository.ts';
import { ipRulesRoutes } from './ip-rules.routes.ts';
import { routeGroupOf } from './route-group.ts';

export { IpRuleSet } from './ip-rule-set.ts';
export { routeGroups, ruleScopes, type RouteGroup, type RuleScope } from './route-group.ts';

export const ipRulesPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const repository = createIpRulesRepository({ db: app.database.db });
    let rules = new IpRuleSet(await repository.list());
    const reload = async () => {
      rules = new IpRuleSet(await repository.list());
    };
    // Synchronous: the rules are in memory, and a promise per request is measurable on a probe.
    app.addHook('onRequest', (request, reply, done) => {
      const group = routeGroupOf(request);
      const decision = rules.evaluate(request.ip, group);
      if (decision.allowed) return done();
      // Counted, not written per request: a refused client retrying in a loop must not be able
      // to flood the audit log (repeated-denials.ts). The path asked for does not make two apart.
      if (app.hasDecorator('audit')) {
        void app.audit.recordRepeated(
          request,
          {
            action: 'ip-rule.deny',
            outcome: 'denied',
            target: { type: 'route-group', id: group },
            details: {
              reason: decision.reason,
              ...(decision.ruleId ? { ruleId: decision.ruleId } : {}),
              method: request.method,
              path: request.url.split('?')[0],
            },
          },
          { vary: ['method', 'path'] },
        );
      }
      // Answered here, so done() is not called: Fastify runs no further hook or handler.
      sendProblem(request, reply, 'WK_ERR_IP_DENIED', 'Requests from your address are not allowed here');
    });

    app.scheduler.every({ name: 'ip-rules.refresh', intervalMs: config.server.ipRulesRefreshMs }, async () => {
      const before = rules.size;
      await reload();
      if (rules.size !== before) app.log.info({ rules: rules.size }, 'IP rules reloaded');
    });

    await app.register(ipRulesRoutes, { repository, reload });
  },
  { name: 'ip-rules', dependencies: ['database', 'scheduler', 'errors'] },
);

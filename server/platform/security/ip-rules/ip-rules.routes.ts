/**
 * /api/ip-rules: list, add and remove IP allow/deny rules. A change that would refuse the
 * caller's own address on the route group it is calling from is itself refused (409), so an
 * administrator cannot lock themselves out through the API.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SYSTEM_ORGANIZATION_ID } from '../../../../contracts/tenancy.ts';
import type { Database } from '../../../infra/database/index.ts';
import { AppError } from '../../errors/index.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { IpRuleSet } from './ip-rule-set.ts';
import type { IpRule, IpRulesRepository } from './ip-rules-repository.ts';
import { createIpRuleBodySchema, deleteIpRuleReplies, createIpRuleReplies, ipRuleParamsSchema, listIpRulesReplies } from './ip-rules.schemas.ts';
import { routeGroupOf } from './route-group.ts';

export interface IpRulesRoutesOptions {
  repository: IpRulesRepository;
  /** Recompiles the rules this instance enforces (after a change commits). */
  reload: () => Promise<void>;
}

const serialize = (rule: IpRule) => ({ ...rule, createdAt: rule.createdAt.toISOString() });

function actorLabel(request: FastifyRequest): string | null {
  const principal = request.principal;
  if (principal?.kind === 'user') return principal.email;
  if (principal?.kind === 'api-key') return principal.keyPrefix;
  return null;
}

function refuseLockout(request: FastifyRequest, rules: Array<Pick<IpRule, 'id' | 'action' | 'cidr' | 'scope'>>): void {
  const group = routeGroupOf(request);
  if (!new IpRuleSet(rules).evaluate(request.ip, group).allowed) {
    throw new AppError(
      'WK_ERR_SELF_LOCKOUT',
      `this change would refuse your own address (${request.ip}) on the ${group} routes you are calling from; allow it first`,
    );
  }
}

export async function ipRulesRoutes(app: FastifyInstance, { repository, reload }: IpRulesRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['security'];
  const read = { access: { permission: 'ip-rules:read', organization: 'system' } } as const;
  const write = { access: { permission: 'ip-rules:write', organization: 'system' } } as const;
  const audit = (request: FastifyRequest, action: string, rule: IpRule, trx: Transaction<Database>) =>
    app.hasDecorator('audit')
      ? app.audit.recordRequest(
          request,
          {
            action,
            outcome: 'success',
            organizationId: SYSTEM_ORGANIZATION_ID,
            target: { type: 'ip-rule', id: rule.id, label: `${rule.action} ${rule.cidr} (${rule.scope})` },
            details: { action: rule.action, cidr: rule.cidr, scope: rule.scope },
          },
          { trx },
        )
      : Promise.resolve();

  routes.get(
    '/api/ip-rules',
    { config: read, schema: { tags, summary: 'IP allow and deny rules, instance-wide', response: listIpRulesReplies } },
    async () => ({
      items: (await repository.list()).map(serialize),
    }),
  );

  routes.post(
    '/api/ip-rules',
    {
      config: write,
      schema: { tags, summary: 'Add an allow or deny rule for an address or range', body: createIpRuleBodySchema, response: createIpRuleReplies },
    },
    async (request, reply) => {
      const { action, scope, description } = request.body;
      const cidr = formatCidr(parseCidr(request.body.cidr)!);
      const created = await app.database.db.transaction().execute(async (trx) => {
        const existing = await repository.list(trx);
        refuseLockout(request, [...existing, { id: 'new', action, cidr, scope }]);
        const rule = await repository.create({ action, cidr, scope, description, createdBy: actorLabel(request) }, trx);
        if (!rule) throw new AppError('WK_ERR_IP_RULE_EXISTS', `an identical ${action} rule for ${cidr} (${scope}) exists`);
        await audit(request, 'ip-rule.create', rule, trx);
        return rule;
      });
      await reload();
      return reply.code(201).header('location', `/api/ip-rules/${created.id}`).send(serialize(created));
    },
  );

  routes.delete(
    '/api/ip-rules/:id',
    { config: write, schema: { tags, summary: 'Remove a rule', params: ipRuleParamsSchema, response: deleteIpRuleReplies } },
    async (request, reply) => {
      await app.database.db.transaction().execute(async (trx) => {
        const removed = await repository.delete(request.params.id, trx);
        if (!removed) throw new AppError('WK_ERR_IP_RULE_NOT_FOUND', `no IP rule ${request.params.id}`);
        // Removing an allow rule can shut out an address that only it admitted.
        refuseLockout(request, await repository.list(trx));
        await audit(request, 'ip-rule.delete', removed, trx);
      });
      await reload();
      return reply.code(204).send(null);
    },
  );
}

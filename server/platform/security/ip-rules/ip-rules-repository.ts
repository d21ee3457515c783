/**
 * Stored IP rules. Rules are evaluated before anyone is authenticated, so they are instance-wide:
 * they belong to the system organization. Every method takes an optional transaction so a change
 * commits with its audit record.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { SYSTEM_ORGANIZATION_ID } from '../../../../contracts/tenancy.ts';
import type { Database } from '../../../infra/database/index.ts';
import type { IpRulesTable } from '../../../infra/database/schema.ts';
import type { RuleScope } from './route-group.ts';

export interface IpRule {
  id: string;
  action: 'allow' | 'deny';
  cidr: string;
  scope: RuleScope;
  description: string;
  createdBy: string | null;
  createdAt: Date;
}

export interface NewIpRule {
  action: 'allow' | 'deny';
  /** Canonical CIDR (see cidr.ts); PostgreSQL's `cidr` type refuses host bits. */
  cidr: string;
  scope: RuleScope;
  description: string;
  createdBy: string | null;
}

type Executor = Kysely<Database> | Transaction<Database>;

function toRule(row: Selectable<IpRulesTable>): IpRule {
  const createdAt = row.created_at as unknown;
  return {
    id: row.id,
    action: row.action,
    cidr: row.cidr,
    scope: row.scope,
    description: row.description,
    createdBy: row.created_by,
    createdAt: createdAt instanceof Date ? createdAt : new Date(String(createdAt)),
  };
}

export type IpRulesRepository = ReturnType<typeof createIpRulesRepository>;

export function createIpRulesRepository({ db, organizationId = SYSTEM_ORGANIZATION_ID }: { db: Kysely<Database>; organizationId?: string }) {
  return {
    async list(trx: Executor = db): Promise<IpRule[]> {
      const rows = await trx.selectFrom('ip_rules').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toRule);
    },

    /** Undefined when an identical rule (same action, range and scope) exists. */
    async create(rule: NewIpRule, trx: Executor = db): Promise<IpRule | undefined> {
      const row = await trx
        .insertInto('ip_rules')
        .values({
          organization_id: organizationId,
          action: rule.action,
          cidr: rule.cidr,
          scope: rule.scope,
          description: rule.description,
          created_by: rule.createdBy,
        })
        .onConflict((conflict) => conflict.columns(['organization_id', 'scope', 'action', 'cidr']).doNothing())
        .returningAll()
        .executeTakeFirst();
      return row && toRule(row);
    },

    async delete(id: string, trx: Executor = db): Promise<IpRule | undefined> {
      const row = await trx.deleteFrom('ip_rules').where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toRule(row);
    },
  };
}

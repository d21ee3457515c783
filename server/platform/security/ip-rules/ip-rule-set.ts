/**
 * The compiled form of the IP rules, checked on every request: one net.BlockList per scope and
 * action. Deny wins; where a scope has allow rules, only addresses matching one of them pass — a
 * global allow list and a group's allow list must both be satisfied.
 */
import { BlockList } from 'node:net';
import { parseCidr, parseIp } from './cidr.ts';
import type { RouteGroup, RuleScope } from './route-group.ts';

export interface IpRuleDefinition {
  id: string;
  action: 'allow' | 'deny';
  cidr: string;
  scope: RuleScope;
}

export type IpDecision = { allowed: true } | { allowed: false; reason: 'denied' | 'not-allowed'; ruleId?: string };

interface ScopeLists {
  deny: Array<{ id: string; list: BlockList }>;
  allow: BlockList | undefined;
}

export class IpRuleSet {
  readonly #scopes = new Map<RuleScope, ScopeLists>();
  readonly size: number;

  constructor(rules: IpRuleDefinition[]) {
    this.size = rules.length;
    for (const rule of rules) {
      const cidr = parseCidr(rule.cidr);
      if (!cidr) continue; // stored rules were validated on the way in
      let lists = this.#scopes.get(rule.scope);
      if (!lists) this.#scopes.set(rule.scope, (lists = { deny: [], allow: undefined }));
      if (rule.action === 'deny') {
        // One list per deny rule, so a denial names the rule that matched (for the audit record).
        const list = new BlockList();
        list.addSubnet(cidr.network, cidr.prefix, cidr.family);
        lists.deny.push({ id: rule.id, list });
      } else {
        lists.allow ??= new BlockList();
        lists.allow.addSubnet(cidr.network, cidr.prefix, cidr.family);
      }
    }
  }

  evaluate(address: string, group: RouteGroup): IpDecision {
    const ip = parseIp(address);
    const scopes = [this.#scopes.get('all'), this.#scopes.get(group)];
    for (const lists of scopes) {
      const match = ip && lists?.deny.find(({ list }) => list.check(ip.address, ip.family));
      if (match) return { allowed: false, reason: 'denied', ruleId: match.id };
    }
    for (const lists of scopes) {
      if (lists?.allow && !(ip && lists.allow.check(ip.address, ip.family))) return { allowed: false, reason: 'not-allowed' };
    }
    return { allowed: true };
  }
}

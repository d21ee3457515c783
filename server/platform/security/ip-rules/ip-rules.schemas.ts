/** Request and response schemas of the /api/ip-rules routes. */
import { z } from 'zod';
import { problemSchema } from '../../../../contracts/problem.ts';
import { parseCidr } from './cidr.ts';
import { ruleScopes } from './route-group.ts';

export const ipRuleSchema = z.object({
  id: z.uuid(),
  action: z.enum(['allow', 'deny']),
  cidr: z.string().describe('Canonical network/prefix, e.g. 192.0.2.0/24 or 2001:db8::/32'),
  scope: z.enum(ruleScopes).describe('`all`, or the route group: admin (/api), ingest, health (/health), web (UI and docs)'),
  description: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});

export const createIpRuleBodySchema = z.object({
  action: z.enum(['allow', 'deny']).describe('deny always wins; once a scope has an allow rule, only matching addresses reach it'),
  cidr: z
    .string()
    .max(64)
    .refine((value) => parseCidr(value) !== undefined, 'must be an IPv4 or IPv6 address or CIDR range, e.g. 192.0.2.0/24 or 2001:db8::/32'),
  scope: z.enum(ruleScopes).default('all'),
  description: z.string().max(200).default(''),
});

export const ipRuleParamsSchema = z.object({ id: z.uuid() });

export const listIpRulesReplies = { 200: z.object({ items: z.array(ipRuleSchema) }) };
export const createIpRuleReplies = { 201: ipRuleSchema, 400: problemSchema, 409: problemSchema };
export const deleteIpRuleReplies = { 204: z.null().describe('Deleted'), 400: problemSchema, 404: problemSchema, 409: problemSchema };

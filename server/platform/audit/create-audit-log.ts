/**
 * `app.audit`: turns an AuditEntry (and, for recordRequest, the request it came from) into the
 * normalized fields the chain hashes, and appends them.
 */
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { AuditActor, AuditEntry, AuditLog } from './audit-log.ts';
import type { AuditAnchorWriter } from './anchor-writer.ts';
import type { AuditRepository } from './audit-repository.ts';
import { storableDetails, storableText, type ChainedFields } from './hash-chain.ts';
import { createRepeatedDenials, type RepeatedDenialsOptions } from './repeated-denials.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTOR_TYPES = new Set<AuditActor['type']>(['user', 'api-key', 'system', 'anonymous']);
const OUTCOMES = new Set<AuditEntry['outcome']>(['success', 'failure', 'denied']);

/** Who a request acts as, from what authentication found. */
export function actorOf(principal: Principal | undefined): AuditActor {
  if (principal?.kind === 'user') return { type: 'user', id: principal.userId, label: principal.email };
  if (principal?.kind === 'api-key') return { type: 'api-key', id: principal.apiKeyId, label: principal.keyPrefix };
  return { type: 'anonymous' };
}

function text(value: string | undefined, maxLength?: number): string | null {
  return value === undefined ? null : storableText(value, maxLength);
}

/** A programming error in the caller, thrown before anything is written. */
function invalid(message: string): never {
  throw new TypeError(`audit entry: ${message}`);
}

export function toChainedFields(entry: AuditEntry): Omit<ChainedFields, 'occurredAt'> {
  const action = entry.action.trim();
  if (action === '' || action.length > 128) invalid(`action must be 1 to 128 characters, got "${entry.action}"`);
  if (!OUTCOMES.has(entry.outcome)) invalid(`unknown outcome "${entry.outcome}"`);
  const actor = entry.actor ?? { type: 'system' };
  if (!ACTOR_TYPES.has(actor.type)) invalid(`unknown actor type "${actor.type}"`);
  // The column is uuid, which PostgreSQL gives back in lowercase: hash what it will return.
  if (entry.organizationId !== undefined && !UUID.test(entry.organizationId)) invalid(`organizationId must be a UUID, got "${entry.organizationId}"`);
  return {
    organizationId: entry.organizationId?.toLowerCase() ?? null,
    actorType: actor.type,
    actorId: text(actor.id, 256),
    actorLabel: text(actor.label, 256),
    action,
    targetType: text(entry.target?.type, 128),
    targetId: text(entry.target?.id, 256),
    targetLabel: text(entry.target?.label, 256),
    outcome: entry.outcome,
    ip: text(entry.ip, 64),
    userAgent: text(entry.userAgent, 512),
    requestId: text(entry.requestId, 128),
    details: storableDetails(entry.details),
  };
}

export interface CreateAuditLogOptions {
  repository: AuditRepository;
  events?: EventBus;
  anchor?: AuditAnchorWriter;
  /** How repeated denials are counted (repeated-denials.ts). */
  repeats: Omit<RepeatedDenialsOptions, 'write'>;
}

/** What a request adds to an entry; what the caller states wins. */
function fromRequest(request: FastifyRequest, entry: AuditEntry): AuditEntry {
  const { principal } = request;
  return {
    ...entry,
    // A failed login names the account tried, not the session.
    actor: entry.actor ?? actorOf(principal),
    organizationId: entry.organizationId ?? principal?.organizationId,
    ip: entry.ip ?? request.ip,
    userAgent: entry.userAgent ?? request.headers['user-agent'],
    requestId: entry.requestId ?? String(request.id),
  };
}

export function createAuditLog({ repository, events, anchor, repeats }: CreateAuditLogOptions): AuditLog {
  async function record(entry: AuditEntry, { trx }: Parameters<AuditLog['record']>[1] = {}): Promise<void> {
    const stored = await repository.append(toChainedFields(entry), { trx });
    // Only marks the anchor stale: it is written later, off this request, from committed records.
    anchor?.notify();
    // Published once the insert returns. Inside a caller's transaction that is before the commit
    // (Kysely has no after-commit hook), so a record rolled back with its change (the database
    // failing before the commit) may still have been observed by a subscriber.
    events?.emit('audit.recorded', {
      action: stored.action,
      outcome: stored.outcome,
      organizationId: stored.organizationId,
      actorType: stored.actorType,
      actorId: stored.actorId,
      actorLabel: stored.actorLabel,
      targetType: stored.targetType,
      targetId: stored.targetId,
      targetLabel: stored.targetLabel,
      ip: stored.ip,
      details: stored.details,
      at: new Date(stored.occurredAt),
    });
  }

  const repeated = createRepeatedDenials({ ...repeats, write: (entry) => record(entry) });

  return {
    record,
    flushAnchor: () => anchor?.flush() ?? Promise.resolve(),
    recordRequest: (request, entry, options) => record(fromRequest(request, entry), options),
    recordRepeated: (request, entry, options) => repeated.record(fromRequest(request, entry), options),
    flushRepeated: ({ ended = false } = {}) => repeated.flush({ all: !ended }),
  };
}

/**
 * The audit log's contract. Security-relevant code records through `app.audit`; the
 * implementation (hash-chained, append-only table) lives beside this file.
 */
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';
import type { RepeatOptions } from './repeated-denials.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditActor {
  type: 'user' | 'api-key' | 'system' | 'anonymous';
  id?: string;
  /** Human-readable: an email, a key prefix. */
  label?: string;
}

export interface AuditTarget {
  type: string;
  id?: string;
  label?: string;
}

export interface AuditEntry {
  /** Dotted verb, e.g. `auth.login`, `user.create`, `api-key.revoke`, `ip-rule.deny`, `rate-limit.block`, `health.test`. */
  action: string;
  outcome: AuditOutcome;
  actor?: AuditActor;
  target?: AuditTarget;
  organizationId?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /** Appends a record; pass `trx` so the record commits (or rolls back) with the change it records. */
  record(entry: AuditEntry, options?: { trx?: Transaction<Database> }): Promise<void>;
  /** Same, filling actor, ip, user agent and request id from the request. */
  recordRequest(request: FastifyRequest, entry: AuditEntry, options?: { trx?: Transaction<Database> }): Promise<void>;
  /**
   * Records a denial a client can repeat at will (a refused address, API key, permission or rate
   * limit): the first identical one of a window is written at once with `details.count` 1, the rest
   * are counted and written as one record whose `details.count` says how many when the window ends
   * (see repeated-denials.ts). Never rejects: a failed write is logged.
   */
  recordRepeated(request: FastifyRequest, entry: AuditEntry, options?: RepeatOptions): Promise<void>;
  /** Writes the counted repeats of every open window now (graceful close does it too), or with `ended` of the windows that have ended. */
  flushRepeated(options?: { ended?: boolean }): Promise<void>;
  /** Writes the anchors now rather than when the coalescing interval ends; never rejects. */
  flushAnchor(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog;
  }
}

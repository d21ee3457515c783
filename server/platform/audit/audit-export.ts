/**
 * How audit records leave the server: the JSON view (API and NDJSON) and CSV rows.
 *
 * CSV follows RFC 4180 (CRLF rows; a cell holding a comma, quote or line break is quoted, quotes
 * doubled). A cell starting with = + - @ tab or carriage return is prefixed with `'`, because a
 * spreadsheet would run it as a formula — and actor labels, user agents and targets are
 * attacker-chosen text. NDJSON is the faithful format: its records re-verify byte for byte.
 */
import type { StoredAuditRecord } from './audit-repository.ts';
import type { AuditRecordView } from './audit.schemas.ts';
import { canonicalJson } from './hash-chain.ts';

export function toAuditView(record: StoredAuditRecord): AuditRecordView {
  return {
    seq: record.seq,
    occurredAt: record.occurredAt,
    organizationId: record.organizationId,
    actor: { type: record.actorType, id: record.actorId, label: record.actorLabel },
    action: record.action,
    target: record.targetType === null ? null : { type: record.targetType, id: record.targetId, label: record.targetLabel },
    outcome: record.outcome,
    ip: record.ip,
    userAgent: record.userAgent,
    requestId: record.requestId,
    details: record.details,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

export function toNdjsonLine(record: StoredAuditRecord): string {
  return `${JSON.stringify(toAuditView(record))}\n`;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

export const CSV_COLUMNS = [
  'seq',
  'occurred_at',
  'organization_id',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'target_label',
  'outcome',
  'ip',
  'user_agent',
  'request_id',
  'details',
  'prev_hash',
  'hash',
] as const;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function toCsvRow(record: StoredAuditRecord): string {
  const cells = [
    record.seq,
    record.occurredAt,
    record.organizationId,
    record.actorType,
    record.actorId,
    record.actorLabel,
    record.action,
    record.targetType,
    record.targetId,
    record.targetLabel,
    record.outcome,
    record.ip,
    record.userAgent,
    record.requestId,
    canonicalJson(record.details),
    record.prevHash,
    record.hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * The audit log's hash chain: each record's hash is SHA-256 over a canonical serialization of its
 * fields and the previous record's hash, so changing, removing or moving a stored record breaks
 * the chain at that point.
 *
 * The serialization must reproduce exactly from what PostgreSQL gives back, so every value is
 * normalized before it is hashed and stored: strings are made well-formed UTF-16 without NUL
 * (PostgreSQL rejects NUL and the driver would silently replace lone surrogates), details go
 * through a JSON round trip (what jsonb keeps), and the time is a microsecond ISO string — the
 * precision of timestamptz — that is stored verbatim.
 */
import { createHash } from 'node:crypto';
import type { AuditActor, AuditOutcome } from './audit-log.ts';

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the serialization, so a future format can be told apart from this one. */
const FORMAT = 'watchkeeper-audit-v1';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A record's hashed content: everything but its position (`seq`) and its own hash. */
export interface ChainedFields {
  /** UTC, microseconds: `2024-05-01T12:00:00.123456Z`. */
  occurredAt: string;
  organizationId: string | null;
  actorType: AuditActor['type'];
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: { [key: string]: JsonValue };
}

/** JSON with object keys sorted at every depth: one text for one value. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The record's position in the chain is proven by `prevHash`, not by `seq`: a record moved to
 * another place still hashes correctly but no longer follows its predecessor, which lets
 * verification tell a reordering from an alteration.
 */
export function hashRecord(fields: ChainedFields, prevHash: string): string {
  const serialized = canonicalJson([
    FORMAT,
    fields.occurredAt,
    fields.organizationId,
    fields.actorType,
    fields.actorId,
    fields.actorLabel,
    fields.action,
    fields.targetType,
    fields.targetId,
    fields.targetLabel,
    fields.outcome,
    fields.ip,
    fields.userAgent,
    fields.requestId,
    fields.details,
    prevHash,
  ]);
  return createHash('sha256').update(serialized, 'utf8').digest('hex');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The string PostgreSQL will store and give back unchanged. */
export function storableText(value: string, maxLength = 2048): string {
  const clean = value.replace(LONE_SURROGATE, '\ufffd').replaceAll('\0', '\ufffd');
  return clean.length > maxLength ? clean.slice(0, maxLength) : clean;
}

function storableJson(value: unknown): JsonValue {
  if (typeof value === 'string') return storableText(value, Number.POSITIVE_INFINITY);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key, Number.POSITIVE_INFINITY), storableJson(item)]));
  }
  return value as JsonValue;
}

/** Details as jsonb will keep them: what JSON.stringify keeps (no undefined, Dates as strings…). */
export function storableDetails(details: Record<string, unknown> | undefined): { [key: string]: JsonValue } {
  if (!details) return {};
  const json = JSON.stringify(details);
  return storableJson(JSON.parse(json) as unknown) as { [key: string]: JsonValue };
}

/** Microseconds since the epoch as timestamptz's text in UTC, e.g. `2024-05-01T12:00:00.123456Z`. */
export function formatMicros(epochMicros: bigint): string {
  const milliseconds = new Date(Number(epochMicros / 1000n)).toISOString();
  const micros = String(epochMicros % 1_000_000n).padStart(6, '0');
  return `${milliseconds.slice(0, 19)}.${micros}Z`;
}

/**
 * The position of a page of health samples, passed to clients as an opaque base64url string.
 * It names the last row served, `(checked_at, id)`, so the next page starts right after it even
 * while new rows arrive (keyset pagination: no row is skipped or served twice, unlike OFFSET).
 */
import { Buffer } from 'node:buffer';

export interface SampleCursor {
  /** `checked_at` in UTC with PostgreSQL's microseconds, so the comparison is exact. */
  checkedAt: string;
  /** The row's bigint id, as a decimal string. */
  id: string;
}

const CHECKED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^\d{1,19}$/;
const MAX_ID = 9_223_372_036_854_775_807n;

export function encodeSampleCursor(cursor: SampleCursor): string {
  return Buffer.from(JSON.stringify([cursor.checkedAt, cursor.id]), 'utf8').toString('base64url');
}

/** Undefined when the text is not a cursor this server issued (or could have issued). */
export function decodeSampleCursor(text: string): SampleCursor | undefined {
  if (!/^[\w-]+$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [checkedAt, id] = value as unknown[];
  if (typeof checkedAt !== 'string' || typeof id !== 'string') return undefined;
  if (!CHECKED_AT.test(checkedAt) || !ID.test(id) || BigInt(id) > MAX_ID) return undefined;
  // Reject dates the pattern lets through but the calendar does not (2023-02-30 would roll over).
  const milliseconds = `${checkedAt.slice(0, 23)}Z`;
  const parsed = new Date(milliseconds);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== milliseconds) return undefined;
  // PostgreSQL has no year 0 and would fail the query rather than find nothing.
  if (parsed.getUTCFullYear() < 1) return undefined;
  return { checkedAt, id };
}

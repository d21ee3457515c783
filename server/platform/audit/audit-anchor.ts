/**
 * An anchor is the audit chain's newest record — its seq, its hash and when the anchor was written —
 * kept outside the database. A hash chain cannot show that its newest records were cut off, or that
 * its tail was rewritten wholesale by someone able to recompute hashes; a record the anchor names
 * that is gone, or hashes differently, can. Stores are one file per implementation beside this one.
 */
import { z } from 'zod';

export interface AuditAnchor {
  seq: number;
  hash: string;
  /** When the anchor was written, ISO 8601. */
  at: string;
}

export type AuditAnchorSource = 'file' | 'redis';

export interface AuditAnchorStore {
  readonly source: AuditAnchorSource;
  /** Where the anchor is kept, for messages (a path, a key). */
  readonly location: string;
  /** The stored anchor; undefined when none was written yet. Rejects when it cannot be read or is not an anchor. */
  read(): Promise<AuditAnchor | undefined>;
  /** Stores `anchor` unless the stored one names the same or a later seq (anchors never go back); resolves whether it did. */
  advance(anchor: AuditAnchor): Promise<boolean>;
}

const anchorSchema = z.object({
  seq: z.coerce.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime({ offset: true }),
});

/** Validates what a store read back; rejects anything that is not an anchor. */
export function parseAnchor(value: unknown, location: string): AuditAnchor {
  const parsed = anchorSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${location} does not hold an audit anchor (${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')})`);
  return parsed.data;
}

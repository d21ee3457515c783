/** The answers of /api/audit as the dashboard reads them (server/platform/audit/audit.schemas.ts). */
export interface AuditRecord {
  seq: number;
  occurredAt: string;
  organizationId: string | null;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null } | null;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  requestId: string | null;
}

export interface AuditPage {
  records: AuditRecord[];
  nextCursor: string | null;
}

export interface AuditChainReport {
  intact: boolean;
  records: number;
  problemCount: number;
  problems: { kind: string; seq: number; detail: string }[];
}

/** The filters the query string carries, in the form's order; the same names as the API's. */
export const AUDIT_FILTERS = ['action', 'actorType', 'actorId', 'outcome', 'targetType', 'targetId', 'from', 'to'] as const;
export type AuditFilterName = (typeof AUDIT_FILTERS)[number];

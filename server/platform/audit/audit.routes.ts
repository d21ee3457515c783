/** The /api/audit routes: query, export and chain verification. */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import type { AuditAnchorStore } from './audit-anchor.ts';
import type { AuditFilters, AuditRepository } from './audit-repository.ts';
import { csvHeader, toAuditView, toCsvRow, toNdjsonLine } from './audit-export.ts';
import { auditExportQuerySchema, auditExportReplies, auditQueryReplies, auditQuerySchema, auditVerifyReplies, encodeAuditCursor } from './audit.schemas.ts';
import { verifyAuditChain } from './verify-audit-chain.ts';

export interface AuditRoutesOptions {
  repository: AuditRepository;
  /** The anchors verification holds the chain against. */
  anchors?: AuditAnchorStore[];
}

/**
 * Whose records a caller may read. Operators of the instance (the built-in organization) see
 * everything, system events included; anyone else sees only their own organization's records.
 */
function organizationScope(request: FastifyRequest): string | undefined {
  const organizationId = request.principal?.organizationId;
  return organizationId === undefined || organizationId === SYSTEM_ORGANIZATION_ID ? undefined : organizationId;
}

export async function auditRoutes(app: FastifyInstance, { repository, anchors = [] }: AuditRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];

  routes.get(
    '/api/audit',
    {
      schema: { tags, summary: 'Audit records matching the filters, a page at a time', querystring: auditQuerySchema, response: auditQueryReplies },
      config: { access: { permission: 'audit:read' } },
    },
    async (request) => {
      const { limit, order, cursor, ...filters } = request.query;
      const records = await repository.page({ ...filters, organizationId: organizationScope(request) }, { limit, order, afterSeq: cursor });
      return {
        records: records.map(toAuditView),
        nextCursor: records.length === limit ? encodeAuditCursor(records.at(-1)!.seq) : null,
      };
    },
  );

  routes.get(
    '/api/audit/export',
    {
      schema: {
        tags,
        summary: 'Every matching audit record, oldest first, as NDJSON or CSV',
        querystring: auditExportQuerySchema,
        response: auditExportReplies,
      },
      config: { access: { permission: 'audit:read' } },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const filters: AuditFilters = { ...query, organizationId: organizationScope(request) };
      const stamp = new Date().toISOString().replaceAll(':', '').slice(0, 15);
      async function* lines() {
        if (format === 'csv') yield csvHeader();
        for await (const record of repository.stream(filters, { order: 'asc' })) {
          yield format === 'csv' ? toCsvRow(record) : toNdjsonLine(record);
        }
      }
      const body = Readable.from(lines(), { objectMode: false });
      // Headers are gone by the time a later batch fails: the client sees a cut-off body.
      body.on('error', (error) => request.log.error({ err: error }, 'audit export failed mid-stream'));
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-log-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .send(body as never); // a stream is piped as is; the declared schemas document it
    },
  );

  routes.get(
    '/api/audit/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the hash chain, hold it against its anchors, and report every altered, removed, reordered, cut-off or rewritten record',
        response: auditVerifyReplies,
      },
      config: { access: { permission: 'audit:verify' } },
    },
    async (_request, reply) => reply.header('cache-control', 'no-store').send(await verifyAuditChain({ repository, anchors })),
  );
}

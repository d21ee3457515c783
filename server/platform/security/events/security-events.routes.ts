/** GET /api/security-events: the detected security events the caller's organization may see. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SYSTEM_ORGANIZATION_ID } from '../../../../contracts/tenancy.ts';
import type { SecurityEventRecord, SecurityEventsRepository } from './security-events-repository.ts';
import { encodeSecurityEventCursor, securityEventsQuerySchema, securityEventsReplies } from './security-events.schemas.ts';

function toView(event: SecurityEventRecord) {
  return {
    ...event,
    windowStart: event.windowStart.toISOString(),
    firstSeen: event.firstSeen.toISOString(),
    lastSeen: event.lastSeen.toISOString(),
  };
}

export async function securityEventsRoutes(app: FastifyInstance, { repository }: { repository: SecurityEventsRepository }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/security-events',
    {
      schema: {
        tags: ['security'],
        summary: 'Security events detected by this instance, newest first',
        querystring: securityEventsQuerySchema,
        response: securityEventsReplies,
      },
      config: { access: { permission: 'security-events:read' } },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const { organizationId } = await request.scope();
      // Operators of the instance (the built-in organization) see every organization's events.
      const scope = organizationId === SYSTEM_ORGANIZATION_ID ? undefined : organizationId;
      const events = await repository.page({ ...filters, organizationId: scope }, { limit, beforeId: cursor });
      return { events: events.map(toView), nextCursor: events.length === limit ? encodeSecurityEventCursor(events.at(-1)!.id) : null };
    },
  );
}

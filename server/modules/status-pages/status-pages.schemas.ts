/** Params, bodies and reply maps of the status-page routes (the shapes come from contracts/status-pages.ts). */
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';
import { slugSchema } from '../../../contracts/tenancy-api.ts';
import { componentKeySchema, impactSchema, incidentSchema, publicStatusSchema, statusPageAdminSchema } from '../../../contracts/status-pages.ts';

export { idParamsSchema } from '../../../contracts/auth.ts';
export { createIncidentBodySchema, incidentUpdateBodySchema, statusPageSettingsSchema } from '../../../contracts/status-pages.ts';

export const slugParamsSchema = z.object({ slug: slugSchema });

const moment = z.iso.datetime({ offset: true, local: true });

/** PATCH /api/incidents/:id: what was written wrong (status changes are updates). */
export const patchIncidentBodySchema = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    impact: impactSchema.optional(),
    components: z.array(componentKeySchema).max(50).optional(),
    startsAt: moment.optional(),
    endsAt: moment.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });

const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

export const statusPageReplies = { 200: statusPageAdminSchema, ...problems };
export const listIncidentsReplies = { 200: z.object({ items: z.array(incidentSchema) }), ...problems };
export const incidentReplies = { 200: incidentSchema, ...problems };
export const createdIncidentReplies = { 201: incidentSchema, ...problems };
export const deleteIncidentReplies = { 204: z.null().describe('Deleted'), ...problems };
export const publicStatusReplies = { 200: publicStatusSchema, 400: problemSchema, 404: problemSchema };

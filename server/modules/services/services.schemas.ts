/** Request and response schemas of the /api/services routes (shapes come from contracts/services.ts). */
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';
import {
  newServiceSchema,
  serviceListSchema,
  serviceNameSchema,
  serviceRecordSchema,
  serviceReplacementSchema,
  servicesListQuerySchema,
} from '../../../contracts/services.ts';

export const serviceParamsSchema = z.object({ name: serviceNameSchema });
export const createServiceBodySchema = newServiceSchema;
export const replaceServiceBodySchema = serviceReplacementSchema;

export const listServicesReplies = { 200: serviceListSchema, 400: problemSchema };

/** The list's query, the cursor decoded during validation (the name of the last service listed). */
export const listServicesQuerySchema = servicesListQuerySchema.transform((query, context) => {
  if (query.cursor === undefined) return { limit: query.limit, after: undefined };
  const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
  if (!serviceNameSchema.safeParse(after).success || encodeServicesCursor(after) !== query.cursor) {
    context.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor returned by this endpoint', input: query.cursor });
    return z.NEVER;
  }
  return { limit: query.limit, after };
});
export type ListServicesQuery = z.output<typeof listServicesQuerySchema>;
export const encodeServicesCursor = (name: string) => Buffer.from(name, 'utf8').toString('base64url');
export const getServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema };
export const createServiceReplies = { 201: serviceRecordSchema, 400: problemSchema, 409: problemSchema };
export const replaceServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema };
export const checkServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema };
export const deleteServiceReplies = { 204: z.null().describe('Deleted'), 400: problemSchema, 404: problemSchema, 409: problemSchema };

/** Request and response schemas of the /api/services routes (shapes come from contracts/services.ts). */
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';
import { externalServiceConfigSchema, serviceNameSchema, serviceRecordSchema, serviceReplacementSchema } from '../../../contracts/services.ts';

export const serviceParamsSchema = z.object({ name: serviceNameSchema });
export const createServiceBodySchema = externalServiceConfigSchema;
export const replaceServiceBodySchema = serviceReplacementSchema;

export const listServicesReplies = { 200: z.object({ items: z.array(serviceRecordSchema) }) };
export const getServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema };
export const createServiceReplies = { 201: serviceRecordSchema, 400: problemSchema, 409: problemSchema };
export const replaceServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema };
export const checkServiceReplies = { 200: serviceRecordSchema, 400: problemSchema, 404: problemSchema };
export const deleteServiceReplies = { 204: z.null().describe('Deleted'), 400: problemSchema, 404: problemSchema, 409: problemSchema };

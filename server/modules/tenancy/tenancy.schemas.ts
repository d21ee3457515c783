/** Params and reply maps of the tenancy routes (the shapes come from contracts/tenancy-api.ts). */
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';
import { createdOrganizationSchema, membershipRecordSchema, myOrganizationSchema, organizationSchema, projectSchema } from '../../../contracts/tenancy-api.ts';

export { idParamsSchema } from '../../../contracts/auth.ts';

const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };
const deleted = z.null().describe('Deleted');

export const listOrganizationsReplies = { 200: z.object({ items: z.array(myOrganizationSchema) }), ...problems };
export const createOrganizationReplies = { 201: createdOrganizationSchema, ...problems };
export const updateOrganizationReplies = { 200: organizationSchema, ...problems };
export const deleteOrganizationReplies = { 204: deleted, ...problems };

export const listProjectsReplies = { 200: z.object({ items: z.array(projectSchema) }), ...problems };
export const projectReplies = { 200: projectSchema, ...problems };
export const createProjectReplies = { 201: projectSchema, ...problems };
export const deleteProjectReplies = { 204: deleted, ...problems };

export const listMembershipsReplies = { 200: z.object({ items: z.array(membershipRecordSchema) }), ...problems };
export const setMembershipReplies = { 200: membershipRecordSchema, 201: membershipRecordSchema, ...problems };
export const deleteMembershipReplies = { 204: deleted, ...problems };

/**
 * Request and response shapes of the tenancy API — organizations, projects, memberships — and of
 * editing custom roles, shared by server and web. The built-in ids live in contracts/tenancy.ts.
 */
import { z } from 'zod';
import { emailSchema, permissionSchema, roleNameSchema } from './auth.ts';
import { permissions } from './permissions.ts';

/** How an organization or project is named in URLs and configuration. */
export const slugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'must be lowercase letters, digits and dashes, starting and ending with a letter or digit');

/** A display name: trimmed, printable (PostgreSQL cannot store NUL, and nobody needs control characters). */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const atLeastOne = (body: Record<string, unknown>) => Object.values(body).some((value) => value !== undefined);

// ---- Organizations ---------------------------------------------------------------------------

export const organizationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
});
export type Organization = z.infer<typeof organizationSchema>;

/** An organization as its member sees it: with the caller's roles there. */
export const myOrganizationSchema = organizationSchema.extend({
  /** The caller's organization-wide role; null for a member of single projects only, and for an API key. */
  role: z.string().nullable(),
  /** The caller's roles in single projects of the organization. */
  projectRoles: z.array(z.object({ projectId: z.string(), role: z.string() })),
});

export const createOrganizationBodySchema = z.object({ slug: slugSchema, name: displayNameSchema });

export const updateOrganizationBodySchema = z
  .object({ name: displayNameSchema.optional(), slug: slugSchema.optional() })
  .refine(atLeastOne, { message: 'give `name` or `slug`' });

/** The answer to creating an organization: it, and the project it starts with. */
export const createdOrganizationSchema = organizationSchema.extend({ defaultProjectId: z.string() });

// ---- Projects --------------------------------------------------------------------------------

export const projectSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

export const createProjectBodySchema = z.object({ slug: slugSchema, name: displayNameSchema });

export const updateProjectBodySchema = z
  .object({ name: displayNameSchema.optional(), slug: slugSchema.optional() })
  .refine(atLeastOne, { message: 'give `name` or `slug`' });

// ---- Memberships -----------------------------------------------------------------------------

export const membershipRecordSchema = z.object({
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  /** null: the whole organization. */
  projectId: z.string().nullable(),
  role: z.string(),
  createdAt: z.string(),
});
export type MembershipRecord = z.infer<typeof membershipRecordSchema>;

export const setMembershipBodySchema = z.object({
  email: emailSchema,
  role: roleNameSchema,
  /** A project of this organization, or null for the whole organization. */
  projectId: z.uuid().nullable(),
});

// ---- Custom roles ----------------------------------------------------------------------------

export const updateRoleBodySchema = z
  .object({
    description: z.string().max(500).optional(),
    permissions: z.array(permissionSchema).min(1).max(permissions.length).optional(),
  })
  .refine(atLeastOne, { message: 'give `description` or `permissions`' });

/** Request and response shapes of sign-in, sessions, users and API keys, shared by server and web. */
import { z } from 'zod';
import { permissions } from './permissions.ts';

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254));
/** Only bounded here; the password policy (length, common passwords) is applied by the server. */
export const passwordSchema = z.string().min(1).max(1024);
export const permissionSchema = z.enum(permissions);
export const roleNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');

export const loginBodySchema = z.object({ email: z.string().trim().min(1).max(254), password: passwordSchema });

export const changePasswordBodySchema = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });

export const membershipSchema = z.object({
  organizationId: z.string(),
  projectId: z.string().nullable(),
  role: z.string(),
});

export const sessionResponseSchema = z.object({
  principal: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('user'), userId: z.string(), email: z.string(), organizationId: z.string(), memberships: z.array(membershipSchema) }),
    z.object({ kind: z.literal('api-key'), apiKeyId: z.string(), keyPrefix: z.string(), organizationId: z.string(), projectId: z.string().nullable() }),
  ]),
  /** What the caller may do in the organization it acts in. */
  permissions: z.array(permissionSchema),
  /** Send back in X-CSRF-Token on every state-changing request made with the session cookie. */
  csrfToken: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const loginResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string() }),
  csrfToken: z.string(),
  expiresAt: z.string(),
});

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  projectId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const createUserBodySchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  role: roleNameSchema.default('viewer'),
  projectId: z.uuid().optional(),
});

export const updateUserBodySchema = z
  .object({ role: roleNameSchema.optional(), disabled: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.disabled !== undefined, { message: 'give `role` or `disabled`' });

export const resetPasswordBodySchema = z.object({ password: passwordSchema });

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  projectId: z.string().nullable(),
  scopes: z.array(permissionSchema),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const createApiKeyBodySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(permissionSchema).min(1).max(50),
  projectId: z.uuid().optional(),
  /** Days until the key stops working; omit for a key that does not expire. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const createdApiKeySchema = apiKeySchema.extend({
  /** The whole key. Shown this once; only its hash is stored. */
  key: z.string(),
});

export const idParamsSchema = z.object({ id: z.uuid() });

export const roleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(permissionSchema),
});

export const createRoleBodySchema = z.object({
  name: roleNameSchema,
  description: z.string().max(500).default(''),
  permissions: z.array(permissionSchema).min(1).max(permissions.length),
});

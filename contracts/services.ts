/** External services Watchkeeper checks: an HTTP(S) URL or a TCP host:port. */
import { z } from 'zod';

export const serviceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes, starting with a letter or digit');

const common = {
  name: serviceNameSchema,
  critical: z.boolean().default(false),
  intervalMs: z.number().int().min(1_000).max(86_400_000).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
};

export const httpServiceSchema = z.object({
  ...common,
  type: z.literal('http'),
  url: z
    .string()
    .url()
    .refine((value) => ['http:', 'https:'].includes(new URL(value).protocol), 'must be an http:// or https:// URL'),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  expectedStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).default([200]),
});

export const tcpServiceSchema = z.object({
  ...common,
  type: z.literal('tcp'),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
});

export const externalServiceConfigSchema = z.discriminatedUnion('type', [httpServiceSchema, tcpServiceSchema]);
export type ExternalServiceInput = z.input<typeof externalServiceConfigSchema>;
export type ExternalService = z.output<typeof externalServiceConfigSchema>;

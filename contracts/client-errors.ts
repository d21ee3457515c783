/**
 * An error the dashboard caught in an error boundary, reported with its component stack. Until
 * the errors capability exists, the server logs and counts these (POST /api/client-errors).
 */
import { z } from 'zod';

export const clientErrorReportSchema = z.object({
  panel: z.string().min(1).max(200),
  message: z.string().max(1_000),
  stack: z.string().max(8_000).optional(),
  componentStack: z.string().max(8_000).optional(),
  url: z.string().max(2_000),
});
export type ClientErrorReport = z.infer<typeof clientErrorReportSchema>;

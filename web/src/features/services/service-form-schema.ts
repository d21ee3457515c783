/**
 * The service form's values (what the inputs hold: text) and the way to the API's body, validated
 * by the server's own schema (contracts/services.ts) after the text is read as numbers and lists.
 */
import { z } from 'zod';
import { externalServiceConfigSchema, type ExternalServiceInput, type ServiceRecord } from '../../../../contracts/services.ts';

export const serviceFormValuesSchema = z.object({
  type: z.enum(['http', 'tcp']),
  name: z.string(),
  url: z.string(),
  method: z.enum(['GET', 'HEAD']),
  expectedStatus: z.string(),
  host: z.string(),
  port: z.string(),
  intervalMs: z.string(),
  timeoutMs: z.string(),
  critical: z.boolean(),
});
export type ServiceFormValues = z.infer<typeof serviceFormValuesSchema>;

/** A whole number typed in a text input; '' is "not given". Issues go on the field. */
function wholeNumber(text: string, path: string, ctx: z.RefinementCtx): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^\d+$/.test(trimmed)) {
    ctx.addIssue({ code: 'custom', path: [path], message: 'must be a whole number' });
    return undefined;
  }
  return Number(trimmed);
}

/** The form's text → the API's body (only the fields of the chosen type: the API refuses others). */
export const serviceFormSchema = serviceFormValuesSchema
  .transform((values, ctx): ExternalServiceInput => {
    const intervalMs = wholeNumber(values.intervalMs, 'intervalMs', ctx);
    const timeoutMs = wholeNumber(values.timeoutMs, 'timeoutMs', ctx);
    const common = {
      name: values.name.trim(),
      critical: values.critical,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    if (values.type === 'tcp') {
      const port = wholeNumber(values.port, 'port', ctx);
      if (port === undefined && values.port.trim() === '') ctx.addIssue({ code: 'custom', path: ['port'], message: 'enter a port' });
      return { ...common, type: 'tcp' as const, host: values.host.trim(), port: port ?? 0 };
    }
    const codes = values.expectedStatus
      .split(',')
      .map((code) => code.trim())
      .filter(Boolean);
    if (codes.some((code) => !/^\d{3}$/.test(code) || Number(code) < 100 || Number(code) > 599)) {
      ctx.addIssue({ code: 'custom', path: ['expectedStatus'], message: 'must be HTTP status codes (100–599) separated by commas' });
    }
    return {
      ...common,
      type: 'http' as const,
      url: values.url.trim(),
      method: values.method,
      ...(codes.length === 0 ? {} : { expectedStatus: codes.map(Number) }),
    };
  })
  .pipe(externalServiceConfigSchema);

export const emptyServiceForm: ServiceFormValues = {
  type: 'http',
  name: '',
  url: '',
  method: 'GET',
  expectedStatus: '200',
  host: '',
  port: '',
  intervalMs: '',
  timeoutMs: '',
  critical: false,
};

/** A stored service as the form shows it. */
export function formValuesOf(service: ServiceRecord): ServiceFormValues {
  const common = {
    ...emptyServiceForm,
    name: service.name,
    critical: service.critical,
    intervalMs: service.intervalMs === undefined ? '' : String(service.intervalMs),
    timeoutMs: service.timeoutMs === undefined ? '' : String(service.timeoutMs),
  };
  return service.type === 'http'
    ? { ...common, type: 'http', url: service.url, method: service.method, expectedStatus: service.expectedStatus.join(', ') }
    : { ...common, type: 'tcp', host: service.host, port: String(service.port) };
}

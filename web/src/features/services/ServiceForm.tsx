/**
 * The add and edit form of an external service: an HTTP(S) URL or a TCP host and port, the type
 * selector showing the fields of the chosen kind. Validated with the server's schema before it is
 * sent; the server's field errors (a name already taken) land on their fields.
 */
import type { ExternalService } from '../../../../contracts/services.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { serviceFormSchema, type ServiceFormValues } from './service-form-schema.ts';

const TYPES = [
  { value: 'http', label: 'HTTP(S) — request a URL' },
  { value: 'tcp', label: 'TCP — open a connection' },
] as const;
const METHODS = [
  { value: 'GET', label: 'GET' },
  { value: 'HEAD', label: 'HEAD' },
] as const;

export function ServiceForm({
  defaultValues,
  send,
  submitLabel,
  editing = false,
}: {
  defaultValues: ServiceFormValues;
  send: (body: ExternalService) => Promise<unknown>;
  submitLabel: string;
  /** The name is the service's identity: shown, not changed (renaming is delete and add). */
  editing?: boolean;
}) {
  const { form, formError, onSubmit } = useApiForm({ schema: serviceFormSchema, defaultValues, send });
  const type = form.watch('type');
  return (
    <form className="service-form" onSubmit={onSubmit} noValidate aria-label={submitLabel}>
      <FormError message={formError} />
      <Field
        form={form}
        name="name"
        label="Name"
        hint={editing ? 'The name cannot be changed.' : 'Lowercase letters, digits and dashes, e.g. payments-api.'}
        required
        readOnly={editing}
        autoComplete="off"
      />
      <Field form={form} name="type" label="Type" options={TYPES} />
      {type === 'http' ? (
        <>
          <Field form={form} name="url" label="URL" type="url" hint="http:// or https://" required autoComplete="off" />
          <Field form={form} name="method" label="Method" options={METHODS} />
          <Field form={form} name="expectedStatus" label="Expected status codes" hint="Separated by commas, e.g. 200, 204." />
        </>
      ) : (
        <>
          <Field form={form} name="host" label="Host" hint="A hostname or an IP address, without scheme or port." required autoComplete="off" />
          <Field form={form} name="port" label="Port" required />
        </>
      )}
      <Field form={form} name="intervalMs" label="Interval (milliseconds)" hint="How often to check; empty for the default." />
      <Field form={form} name="timeoutMs" label="Timeout (milliseconds)" hint="Empty for the default." />
      <Field
        form={form}
        name="critical"
        label="Critical"
        type="checkbox"
        hint="When a critical service fails, the overall status is failing; otherwise it is degraded."
      />
      <button type="submit" disabled={form.formState.isSubmitting}>
        {submitLabel}
      </button>
    </form>
  );
}

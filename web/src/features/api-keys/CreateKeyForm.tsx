/** Creating a key: validated with the server's own schema; scopes as checkboxes. */
import { useId } from 'react';
import type { z } from 'zod';
import { createApiKeyBodySchema, type createdApiKeySchema } from '../../../../contracts/auth.ts';
import { permissions } from '../../../../contracts/permissions.ts';
import { browserApi } from '../../shared/api/client.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';

export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const id = useId();
  const { form, formError, onSubmit } = useApiForm({
    schema: createApiKeyBodySchema,
    defaultValues: { name: '', scopes: [] },
    send: async (values) => {
      onCreated(await browserApi<CreatedApiKey>('/api/api-keys', { method: 'POST', body: values }));
      form.reset();
    },
  });
  const { errors } = form.formState;
  const scopesError = errors.scopes?.message ?? errors.scopes?.root?.message;
  const expiresError = errors.expiresInDays?.message;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Create a key</h2>
      <form onSubmit={(event) => void onSubmit(event)} noValidate>
        <FormError message={formError} />
        <Field form={form} name="name" label="Name" hint="What the key is for, e.g. “CI deploys”" required />
        <fieldset className="scopes" aria-describedby={scopesError ? `${id}-scopes-error` : `${id}-scopes-hint`} aria-invalid={scopesError ? true : undefined}>
          <legend>Scopes</legend>
          <p className="hint" id={`${id}-scopes-hint`}>
            What the key may do; at most what you may do here.
          </p>
          <div className="scope-list">
            {permissions.map((permission) => (
              <label key={permission} className="checkbox">
                <input type="checkbox" value={permission} {...form.register('scopes')} /> <code>{permission}</code>
              </label>
            ))}
          </div>
          {scopesError && (
            <p className="field-error" id={`${id}-scopes-error`}>
              {String(scopesError)}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-expires`}>Expires after (days)</label>
          <p className="hint" id={`${id}-expires-hint`}>
            Leave empty for a key that does not expire.
          </p>
          <input
            id={`${id}-expires`}
            type="number"
            min={1}
            max={3650}
            aria-invalid={expiresError ? true : undefined}
            aria-describedby={`${id}-expires-hint${expiresError ? ` ${id}-expires-error` : ''}`}
            {...form.register('expiresInDays', { setValueAs: (value: string) => (value === '' || value === undefined ? undefined : Number(value)) })}
          />
          {expiresError && (
            <p className="field-error" id={`${id}-expires-error`}>
              {String(expiresError)}
            </p>
          )}
        </div>
        <button type="submit" disabled={form.formState.isSubmitting}>
          Create key
        </button>
      </form>
    </section>
  );
}

/** The page's settings: on or off, its title, and which of the organization's components it shows. */
import { statusPageSettingsSchema, type StatusPageAdmin } from '../../../../contracts/status-pages.ts';
import { browserApi } from '../../shared/api/client.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { Panel } from '../../shared/Panel.tsx';
import { CheckboxField, ChoiceGroup } from './form-controls.tsx';

export function SettingsForm({ page, onSaved }: { page: StatusPageAdmin; onSaved: () => Promise<void> }) {
  const { form, formError, onSubmit } = useApiForm({
    schema: statusPageSettingsSchema,
    defaultValues: page.settings,
    send: async (values) => {
      const saved = await browserApi<StatusPageAdmin>('/api/status-page', { method: 'PUT', body: values });
      form.reset(saved.settings);
      await onSaved();
    },
  });
  const choices = page.available.map((c) => ({ value: c.key, label: `${c.name} (${c.project})` }));
  // A component chosen before and no longer monitored stays listed, so it can be taken off.
  for (const key of page.settings.components)
    if (!choices.some((c) => c.value === key)) choices.push({ value: key, label: `${key.slice(key.indexOf('/') + 1)} (not monitored now)` });
  return (
    <Panel titleId="settings-title" title="Settings">
      <form onSubmit={onSubmit} noValidate>
        <FormError message={formError} />
        <CheckboxField form={form} name="enabled" label="Publish the status page" hint="Anyone can read it, without signing in." />
        <Field form={form} name="title" label="Title" required />
        <ChoiceGroup form={form} name="components" label="Components shown" choices={choices} />
        <button type="submit" disabled={form.formState.isSubmitting}>
          Save settings
        </button>
        <p role="status" className="muted">
          {form.formState.isSubmitSuccessful && !formError ? 'Saved.' : ''}
        </p>
      </form>
    </Panel>
  );
}

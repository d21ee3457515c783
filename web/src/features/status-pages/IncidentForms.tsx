/**
 * Writing on the status page: open an incident, schedule maintenance, post an update on one
 * (which moves its status), delete one written by mistake.
 */
import { useState } from 'react';
import type { DefaultValues, FieldValues } from 'react-hook-form';
import type { z } from 'zod';
import {
  impactSchema,
  incidentBodySchema,
  incidentStatuses,
  incidentUpdateBodySchema,
  maintenanceBodySchema,
  maintenanceStatuses,
  type Incident,
} from '../../../../contracts/status-pages.ts';
import { browserApi } from '../../shared/api/client.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';
import { Panel } from '../../shared/Panel.tsx';
import { ChoiceGroup, DateTimeField, TextAreaField } from './form-controls.tsx';
import { IMPACT_WORDS, STATUS_WORDS, when } from './status-words.ts';

interface Choice {
  value: string;
  label: string;
}

const impactOptions = impactSchema.options.map((value) => ({ value, label: IMPACT_WORDS[value] }));
const statusOptions = (statuses: readonly (keyof typeof STATUS_WORDS)[]) => statuses.map((value) => ({ value, label: STATUS_WORDS[value] }));

/** A datetime-local value is the browser's local time: sent as the instant it means. */
const instant = (value: string) => (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : new Date(value).toISOString());

/**
 * An incident and a maintenance are both written by one POST to /api/incidents; once it is written,
 * the form starts again from its defaults.
 */
function useNewEntryForm<Schema extends z.ZodType<FieldValues, FieldValues>>({
  schema,
  defaults,
  body,
  onCreated,
}: {
  schema: Schema;
  defaults: DefaultValues<z.input<Schema>>;
  body: (values: z.output<Schema>) => unknown;
  onCreated: () => Promise<void>;
}) {
  const { form, formError, onSubmit } = useApiForm({
    schema,
    defaultValues: defaults,
    send: async (values) => {
      await browserApi('/api/incidents', { method: 'POST', body: body(values) });
      form.reset(defaults);
      await onCreated();
    },
  });
  return { form, formError, onSubmit };
}

export function NewIncidentForm({ components, onCreated }: { components: Choice[]; onCreated: () => Promise<void> }) {
  const defaults = { kind: 'incident' as const, title: '', impact: 'minor' as const, components: [], status: 'investigating' as const, message: '' };
  const { form, formError, onSubmit } = useNewEntryForm({ schema: incidentBodySchema, defaults, body: (values) => values, onCreated });
  return (
    <Panel titleId="new-incident-title" title="New incident">
      <form onSubmit={onSubmit} noValidate>
        <FormError message={formError} />
        <Field form={form} name="title" label="Incident title" required />
        <Field form={form} name="impact" label="Impact" options={impactOptions} />
        <Field form={form} name="status" label="Status" options={statusOptions(incidentStatuses)} />
        <ChoiceGroup form={form} name="components" label="Affected components" hint="The components the page shows." choices={components} />
        <TextAreaField form={form} name="message" label="First update" hint="What is known, in words the public understands." />
        <button type="submit" disabled={form.formState.isSubmitting}>
          Open incident
        </button>
      </form>
    </Panel>
  );
}

export function NewMaintenanceForm({ components, onCreated }: { components: Choice[]; onCreated: () => Promise<void> }) {
  const defaults = { kind: 'maintenance' as const, title: '', components: [], startsAt: '', endsAt: '', message: '' };
  const { form, formError, onSubmit } = useNewEntryForm({
    schema: maintenanceBodySchema,
    defaults,
    body: (values) => ({ ...values, startsAt: instant(values.startsAt), endsAt: instant(values.endsAt) }),
    onCreated,
  });
  return (
    <Panel titleId="new-maintenance-title" title="Schedule maintenance">
      <form onSubmit={onSubmit} noValidate>
        <FormError message={formError} />
        <Field form={form} name="title" label="Maintenance title" required />
        <DateTimeField form={form} name="startsAt" label="Starts" hint="In your time zone." />
        <DateTimeField form={form} name="endsAt" label="Ends" hint="In your time zone." />
        <ChoiceGroup form={form} name="components" label="Components under maintenance" choices={components} />
        <TextAreaField form={form} name="message" label="Announcement" />
        <button type="submit" disabled={form.formState.isSubmitting}>
          Schedule maintenance
        </button>
      </form>
    </Panel>
  );
}

/** One incident: what it says so far, a form for the next update, and deletion. */
export function IncidentEditor({ incident, names, onChanged }: { incident: Incident; names: Choice[]; onChanged: () => Promise<void> }) {
  const statuses = incident.kind === 'incident' ? incidentStatuses : maintenanceStatuses;
  const next = incident.status === 'scheduled' ? 'in-progress' : incident.status === 'in-progress' ? 'completed' : incident.status;
  const { form, formError, onSubmit } = useApiForm({
    schema: incidentUpdateBodySchema,
    defaultValues: { status: next, message: '' },
    send: async (values) => {
      await browserApi(`/api/incidents/${incident.id}/updates`, { method: 'POST', body: values });
      form.reset({ status: values.status, message: '' });
      await onChanged();
    },
  });
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = async () => {
    setDeleteError(null);
    try {
      await browserApi(`/api/incidents/${incident.id}`, { method: 'DELETE' });
      await onChanged();
    } catch (error) {
      setDeleteError((error as Error).message);
    }
  };
  const affected = incident.components.map((key) => names.find((n) => n.value === key)?.label ?? key.slice(key.indexOf('/') + 1));
  const headingId = `edit-${incident.id}`;
  return (
    <article className="incident-editor" aria-labelledby={headingId}>
      <h3 id={headingId}>{incident.title}</h3>
      <p className="incident-meta">
        <strong>{STATUS_WORDS[incident.status]}</strong> · {incident.kind === 'incident' ? IMPACT_WORDS[incident.impact] : 'Maintenance'}
        {affected.length > 0 && <> · Affects {affected.join(', ')}</>}
        {incident.startsAt && incident.endsAt && (
          <>
            {' '}
            · <time dateTime={incident.startsAt}>{when(incident.startsAt)}</time> to <time dateTime={incident.endsAt}>{when(incident.endsAt)}</time>
          </>
        )}
      </p>
      <ol className="incident-updates" aria-label={`Updates on ${incident.title}, newest first`}>
        {incident.updates.map((update) => (
          <li key={update.id}>
            <strong>{STATUS_WORDS[update.status]}</strong> — <time dateTime={update.at}>{when(update.at)}</time>: {update.message}
          </li>
        ))}
      </ol>
      <form onSubmit={onSubmit} noValidate aria-label={`Post an update on ${incident.title}`}>
        <FormError message={formError} />
        <Field form={form} name="status" label="New status" options={statusOptions(statuses)} />
        <TextAreaField form={form} name="message" label="Update" />
        <button type="submit" disabled={form.formState.isSubmitting}>
          Post update
        </button>{' '}
        <button type="button" className="danger" onClick={() => void remove()}>
          Delete
        </button>
        <FormError message={deleteError} />
      </form>
    </article>
  );
}

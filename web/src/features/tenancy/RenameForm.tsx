/** A name changed in place: the button opens a one-field form (the server's update schema), Cancel closes it. */
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { displayNameSchema } from '../../../../contracts/tenancy-api.ts';
import { Field, FormError } from '../../shared/forms/Field.tsx';
import { useApiForm } from '../../shared/forms/use-api-form.ts';

const renameSchema = z.object({ name: displayNameSchema });

export function RenameForm({ what, name, send }: { what: string; name: string; send: (name: string) => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const { form, formError, onSubmit } = useApiForm({
    schema: renameSchema,
    defaultValues: { name },
    send: async (values) => {
      await send(values.name);
      setOpen(false);
    },
  });
  // Focus follows: into the field when the form opens, back to the button when it closes.
  const trigger = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) form.setFocus('name');
    else if (wasOpen.current) trigger.current?.focus();
    wasOpen.current = open;
  }, [open, form]);
  if (!open)
    return (
      <button type="button" ref={trigger} aria-label={`Rename ${what} ${name}`} onClick={() => setOpen(true)}>
        Rename
      </button>
    );
  return (
    <form onSubmit={onSubmit} noValidate className="inline-form" aria-label={`Rename ${what} ${name}`}>
      <Field form={form} name="name" label={`New name for ${name}`} />
      <FormError message={formError} />
      <button type="submit">Save name</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

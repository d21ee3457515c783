/** A name changed in place: the button opens a one-field form (the server's update schema), Cancel closes it. */
import { useState } from 'react';
import { z } from 'zod';
import { displayNameSchema } from '../../../../contracts/tenancy-api.ts';
import { Field } from '../../shared/forms/Field.tsx';
import { InPlaceForm } from '../../shared/forms/InPlaceForm.tsx';
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
  return (
    <InPlaceForm
      open={open}
      onOpenChange={setOpen}
      name={`Rename ${what} ${name}`}
      label="Rename"
      submitLabel="Save name"
      field="name"
      onSubmit={onSubmit}
      formError={formError}
    >
      <Field form={form} name="name" label={`New name for ${name}`} />
    </InPlaceForm>
  );
}

/**
 * A form validated in the browser with the server's own zod schema (contracts/), whose server
 * answer lands where the user looks: a problem+json field error on its field (`/body/url` → the
 * `url` input), anything else in the form's own alert. Focus goes to the first field in error.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path, type UseFormReturn } from 'react-hook-form';
import type { z } from 'zod';
import { ApiError } from '../api/client.ts';

export interface ApiForm<Values extends FieldValues> {
  form: UseFormReturn<Values>;
  /** The message for the whole form (not tied to a field): shown in its alert. */
  formError: string | null;
  /** Wraps the submit: validation first, then `send`; server errors mapped onto the fields. */
  onSubmit: (event?: React.BaseSyntheticEvent) => Promise<void>;
}

/** `/body/timeoutMs` → `timeoutMs`; `/body/expect/status` → `expect.status`. */
export function fieldOfPointer(pointer: string): string | undefined {
  const [, part, ...rest] = pointer.split('/');
  if (part !== 'body' || rest.length === 0) return undefined;
  return rest.map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

export function useApiForm<Schema extends z.ZodType<FieldValues, FieldValues>>(options: {
  schema: Schema;
  defaultValues: DefaultValues<z.input<Schema>>;
  send: (values: z.output<Schema>) => Promise<unknown>;
}): ApiForm<z.input<Schema>> {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<z.input<Schema>, unknown, z.output<Schema>>({
    resolver: zodResolver(options.schema),
    defaultValues: options.defaultValues,
    shouldFocusError: true,
  });

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await options.send(values);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setFormError(error instanceof Error ? error.message : String(error));
        return;
      }
      const known = Object.entries(error.fieldErrors).flatMap(([pointer, detail]) => {
        const field = fieldOfPointer(pointer);
        return field && field in form.getValues() ? [[field, detail] as const] : [];
      });
      known.forEach(([field, detail], index) =>
        form.setError(field as Path<z.input<Schema>>, { type: 'server', message: detail }, { shouldFocus: index === 0 }),
      );
      if (known.length === 0) setFormError(error.message);
    }
  });

  return { form: form as unknown as UseFormReturn<z.input<Schema>>, formError, onSubmit };
}

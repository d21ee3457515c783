/**
 * The controls the status-page editor needs beyond shared/forms/Field: a checkbox, a group of
 * checkboxes holding an array, a text area and a date-time input, each labelled and with its
 * error tied to it (`aria-invalid`, `aria-describedby`) like Field.
 */
import { useId, type ReactNode } from 'react';
import type { FieldValues, Path, PathValue, UseFormReturn } from 'react-hook-form';

interface Common<Values extends FieldValues> {
  form: UseFormReturn<Values>;
  name: Path<Values>;
  label: string;
  hint?: ReactNode;
}

function useDescribed<Values extends FieldValues>(form: UseFormReturn<Values>, name: Path<Values>, hint: ReactNode | undefined) {
  const id = useId();
  const error = form.formState.errors[name]?.message;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const messages = (
    <>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {String(error)}
        </p>
      )}
    </>
  );
  return { id, error, describedBy, messages };
}

export function CheckboxField<Values extends FieldValues>({ form, name, label, hint }: Common<Values>) {
  const { id, error, describedBy, messages } = useDescribed(form, name, hint);
  return (
    <div className="field field-checkbox">
      <span>
        <input id={id} type="checkbox" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...form.register(name)} />{' '}
        <label htmlFor={id}>{label}</label>
      </span>
      {messages}
    </div>
  );
}

export function TextAreaField<Values extends FieldValues>({ form, name, label, hint }: Common<Values>) {
  const { id, error, describedBy, messages } = useDescribed(form, name, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={4} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...form.register(name)} />
      {messages}
    </div>
  );
}

export function DateTimeField<Values extends FieldValues>({ form, name, label, hint }: Common<Values>) {
  const { id, error, describedBy, messages } = useDescribed(form, name, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="datetime-local" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...form.register(name)} />
      {messages}
    </div>
  );
}

/** Checkboxes that together hold an array of the chosen values (an error on any item shows on the group). */
export function ChoiceGroup<Values extends FieldValues>({
  form,
  name,
  label,
  hint,
  choices,
}: Common<Values> & { choices: readonly { value: string; label: string }[] }) {
  const id = useId();
  const errors = form.formState.errors[name] as unknown as { message?: string; [index: number]: { message?: string } | undefined } | undefined;
  const error =
    errors?.message ?? Object.values(errors ?? {}).find((e): e is { message: string } => typeof e === 'object' && e !== null && 'message' in e)?.message;
  const chosen = (form.watch(name) as string[] | undefined) ?? [];
  const toggle = (value: string, on: boolean) => {
    const next = on ? [...chosen.filter((v) => v !== value), value] : chosen.filter((v) => v !== value);
    form.setValue(name, next as PathValue<Values, Path<Values>>, { shouldDirty: true });
  };
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className="field choice-group" aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
      <legend>{label}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {choices.length === 0 && <p className="muted">None to choose from yet.</p>}
      {choices.map((choice, index) => (
        <span key={choice.value} className="choice">
          <input
            id={`${id}-${index}`}
            type="checkbox"
            value={choice.value}
            checked={chosen.includes(choice.value)}
            onChange={(event) => toggle(choice.value, event.target.checked)}
          />{' '}
          <label htmlFor={`${id}-${index}`}>{choice.label}</label>
        </span>
      ))}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {String(error)}
        </p>
      )}
    </fieldset>
  );
}

/**
 * The controls the status-page editor needs beyond shared/forms/Field: a checkbox, a group of
 * checkboxes holding an array, a text area and a date-time input, each labelled and with its
 * error tied to it (`aria-invalid`, `aria-describedby`) like Field.
 */
import { useId, type ReactNode } from 'react';
import type { FieldValues, Path, PathValue, UseFormRegisterReturn, UseFormReturn } from 'react-hook-form';

interface Common<Values extends FieldValues> {
  form: UseFormReturn<Values>;
  name: Path<Values>;
  label: string;
  hint?: ReactNode;
}

/** What a control carries: its id, its ARIA ties to its hint and error, and its registration with the form. */
type ControlProps = UseFormRegisterReturn & { id: string; 'aria-invalid': boolean | undefined; 'aria-describedby': string | undefined };

/** The control's props, and its hint and error to render after it. */
function useDescribed<Values extends FieldValues>(
  form: UseFormReturn<Values>,
  name: Path<Values>,
  hint: ReactNode | undefined,
): { id: string; control: ControlProps; messages: ReactNode } {
  const id = useId();
  const error = form.formState.errors[name]?.message;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const control = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, ...form.register(name) };
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
  return { id, control, messages };
}

export function CheckboxField<Values extends FieldValues>({ form, name, label, hint }: Common<Values>) {
  const { id, control, messages } = useDescribed(form, name, hint);
  return (
    <div className="field field-checkbox">
      <span>
        <input type="checkbox" {...control} /> <label htmlFor={id}>{label}</label>
      </span>
      {messages}
    </div>
  );
}

export function TextAreaField<Values extends FieldValues>(props: Common<Values>) {
  return <LabelledControl {...props} render={(control) => <textarea rows={4} {...control} />} />;
}

export function DateTimeField<Values extends FieldValues>(props: Common<Values>) {
  return <LabelledControl {...props} render={(control) => <input type="datetime-local" {...control} />} />;
}

/** A label, the control, then its hint and error. */
function LabelledControl<Values extends FieldValues>({ form, name, label, hint, render }: Common<Values> & { render: (control: ControlProps) => ReactNode }) {
  const { id, control, messages } = useDescribed(form, name, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {render(control)}
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

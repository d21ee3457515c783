/**
 * A labelled input whose error is announced with it: `aria-invalid` and `aria-describedby` point
 * at the message (and at the hint, when there is one), so a screen reader reads both on focus.
 */
import { useId, type ReactNode } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';

interface FieldProps<Values extends FieldValues> {
  form: UseFormReturn<Values>;
  name: Path<Values>;
  label: string;
  hint?: ReactNode;
  type?: 'text' | 'url' | 'number' | 'email' | 'password' | 'checkbox';
  /** Shown but not editable (a service's name, which is its identity). */
  readOnly?: boolean;
  autoComplete?: string;
  /** Renders a <select> with these options instead of an input. */
  options?: readonly { value: string; label: string }[];
  required?: boolean;
}

export function Field<Values extends FieldValues>({ form, name, label, hint, type = 'text', autoComplete, options, required, readOnly }: FieldProps<Values>) {
  const id = useId();
  const error = form.formState.errors[name]?.message;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    'aria-required': required || undefined,
  } as const;
  const registered = form.register(name, type === 'number' ? { valueAsNumber: true } : {});
  if (type === 'checkbox') {
    return (
      <div className="field field-checkbox">
        <input {...common} {...registered} type="checkbox" />
        <label htmlFor={id}>{label}</label>
        {hint && (
          <p className="hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {options ? (
        <select {...common} {...registered}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <input {...common} {...registered} type={type} autoComplete={autoComplete} readOnly={readOnly} />
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {String(error)}
        </p>
      )}
    </div>
  );
}

/** The form's own message (a refusal that names no field), announced as an alert. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

/**
 * A one-field form that opens in place of its button (rename, reset a password): the button and
 * the form share one accessible name, Cancel closes it, and focus follows — into the field when it
 * opens, back to the button when it closes (not on the first render, when nothing was opened).
 */
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { FormError } from './Field.tsx';

interface InPlaceFormProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The accessible name of the button and of the form it opens ("Rename project Payments"). */
  name: string;
  /** The button's text. */
  label: string;
  submitLabel: string;
  /** The name of the field that gets focus when the form opens. */
  field: string;
  onSubmit: (event?: React.BaseSyntheticEvent) => Promise<void>;
  formError: string | null;
  /** The field. */
  children: ReactNode;
}

export function InPlaceForm({ open, onOpenChange, name, label, submitLabel, field, onSubmit, formError, children }: InPlaceFormProps) {
  const trigger = useRef<HTMLButtonElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const wasOpen = useRef(false);
  // In the commit that swaps the button for the form, and on the element itself: the button that
  // had focus is gone, and react-hook-form's setFocus waits a task, which leaves focus on <body>
  // in between for a keystroke or a screen reader to land on.
  useLayoutEffect(() => {
    if (open) (form.current?.elements.namedItem(field) as HTMLElement | null)?.focus();
    else if (wasOpen.current) trigger.current?.focus();
    wasOpen.current = open;
  }, [open, field]);
  if (!open)
    return (
      <button type="button" ref={trigger} aria-label={name} onClick={() => onOpenChange(true)}>
        {label}
      </button>
    );
  return (
    <form ref={form} onSubmit={onSubmit} noValidate className="inline-form" aria-label={name}>
      {children}
      <FormError message={formError} />
      <button type="submit">{submitLabel}</button>
      <button type="button" onClick={() => onOpenChange(false)}>
        Cancel
      </button>
    </form>
  );
}

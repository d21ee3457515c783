/**
 * A button for a destructive action that asks first, in a real modal <dialog>: focus moves to its
 * Cancel button (the safe choice), Escape or Cancel closes it, and focus goes back to the button
 * that opened it. The action's failure is shown in the dialog, which then stays open.
 */
import { useId, useRef, useState, type ReactNode } from 'react';

interface ConfirmButtonProps {
  /** The trigger's text, e.g. "Delete". */
  label: string;
  /** The trigger's accessible name when the visible label is not enough ("Delete role auditors"). */
  accessibleLabel?: string;
  /** The dialog's title. */
  title: string;
  children?: ReactNode;
  /** The confirming button's text, e.g. "Delete role". */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
}

export function ConfirmButton({ label, accessibleLabel, title, children, confirmLabel, onConfirm }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const open = () => {
    setError(null);
    dialog.current?.showModal();
    cancel.current?.focus();
  };
  const close = () => dialog.current?.close();
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" ref={trigger} className="danger" aria-label={accessibleLabel} aria-haspopup="dialog" onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={`${id}-title`} onClose={() => trigger.current?.focus()}>
        <h2 id={`${id}-title`}>{title}</h2>
        {children}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" ref={cancel} onClick={close}>
            Cancel
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

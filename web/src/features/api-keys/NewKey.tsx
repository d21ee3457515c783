/**
 * The key just created, shown this once: it lives only in the page's memory, so leaving or
 * reloading the page forgets it (the server keeps only its hash). Copy puts it on the clipboard
 * and says so in a live region; the read-only field selects all on focus, for copying by hand.
 */
import { useState } from 'react';
import { Panel } from '../../shared/Panel.tsx';

export function NewKey({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string>('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying was refused: select the key in the field and copy it yourself.');
    }
  }
  return (
    <Panel titleId="new-key-title" title={<>New key “{name}”</>} className="new-key">
      <p>
        <strong>Copy it now: it is shown this once and never again.</strong>
      </p>
      <div className="field">
        <label htmlFor="new-key-secret">API key</label>
        <input id="new-key-secret" readOnly value={secret} onFocus={(event) => event.currentTarget.select()} className="secret" />
      </div>
      <button type="button" onClick={() => void copy()}>
        Copy
      </button>{' '}
      <button type="button" onClick={onDismiss}>
        Done
      </button>
      <p role="status" className="copy-status">
        {copied}
      </p>
    </Panel>
  );
}

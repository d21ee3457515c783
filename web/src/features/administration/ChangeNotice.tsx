/**
 * What an administration page does once the server accepted a change: it says what changed in the
 * page's live region and loads the page's data again, so its tables show the change.
 */
import { useState } from 'react';
import { useRevalidator } from 'react-router';

export function useChangeNotice() {
  const { revalidate } = useRevalidator();
  const [notice, setNotice] = useState('');
  const changed = async (message: string) => {
    setNotice(message);
    await revalidate();
  };
  return { notice, setNotice, changed, revalidate };
}

/** Rendered from the start, even empty: a live region announces what is written into it later, not what it held when it appeared. */
export function ChangeNotice({ notice }: { notice: string }) {
  return (
    <p role="status" className="notice">
      {notice}
    </p>
  );
}

/** The signed-in user's own account: change the password, sign out here or everywhere. */
import { useState } from 'react';
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { PageHandle } from '../../app/routes.tsx';
import { useViewer } from '../../app/viewer.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { ChangePasswordForm } from './ChangePasswordForm.tsx';

export const handle: PageHandle = { title: 'Account' };

export function loader({ request }: LoaderFunctionArgs) {
  return { changed: new URL(request.url).searchParams.get('changed') === '1' };
}

export function Component() {
  const { changed } = useLoaderData<typeof loader>();
  const viewer = useViewer();
  return (
    <>
      <h1>Account</h1>
      {viewer && <p>Signed in as {viewer.email}.</p>}
      {changed && (
        <p className="banner banner-pass" role="status">
          Your password was changed; your other sessions have ended.
        </p>
      )}
      <PanelBoundary title="Change password">
        <ChangePasswordForm />
      </PanelBoundary>
      <PanelBoundary title="Sessions">
        <Sessions csrfToken={viewer?.csrfToken ?? ''} />
      </PanelBoundary>
    </>
  );
}

/**
 * Sign out posts the header's own form (POST /sign-out, works without JavaScript); signing out
 * everywhere calls the API, so it needs JavaScript.
 */
function Sessions({ csrfToken }: { csrfToken: string }) {
  const [error, setError] = useState<string | null>(null);
  async function everywhere() {
    setError(null);
    try {
      await browserApi('/api/auth/logout-everywhere', { method: 'POST' });
      window.location.assign('/sign-in');
    } catch (failure) {
      setError((failure as Error).message);
    }
  }
  return (
    <Panel titleId="sessions-title" title="Sessions">
      <form method="post" action="/sign-out" className="inline-form">
        <input type="hidden" name="csrfToken" value={csrfToken} />
        <button type="submit">Sign out</button> <span className="muted">Ends this session.</span>
      </form>
      <p>
        <button type="button" onClick={() => void everywhere()}>
          Sign out everywhere
        </button>{' '}
        <span className="muted">Ends every session of your account, on every device, this one included.</span>
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Panel>
  );
}

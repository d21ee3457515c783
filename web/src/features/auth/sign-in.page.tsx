/**
 * Sign-in: a real form posted to /sign-in, so it works without JavaScript. The server answers a
 * failure by sending the browser back here with `?failed=<reason>` (post, redirect, get).
 */
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { PageHandle } from '../../app/routes.tsx';
import { ThemeSwitch } from '../../app/ThemeSwitch.tsx';

export const handle: PageHandle = { title: 'Sign in' };

const REASONS: Record<string, string> = {
  credentials: 'That email and password do not match an account.',
  locked: 'Too many failed attempts: sign-in is paused for a while. Try again later.',
  invalid: 'Enter an email address and a password.',
  unavailable: 'Watchkeeper cannot reach its database right now. Try again in a moment.',
  expired: 'The form expired. Please sign in again.',
};

export function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const failed = url.searchParams.get('failed');
  return {
    failure: failed ? (REASONS[failed] ?? REASONS.credentials!) : null,
    email: url.searchParams.get('email') ?? '',
    // The page the visitor asked for; the server checks it is one of ours before going there.
    next: url.searchParams.get('next') ?? '/',
  };
}

export function Component() {
  const { failure, email, next } = useLoaderData<typeof loader>();
  return (
    <div className="sign-in-page">
      <header className="app-header">
        <span className="brand">Watchkeeper</span>
        <div className="header-end">
          <ThemeSwitch />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>Sign in</h1>
        {failure && (
          <p className="form-error" role="alert" id="sign-in-error">
            {failure}
          </p>
        )}
        <form method="post" action="/sign-in" className="sign-in-form" aria-describedby={failure ? 'sign-in-error' : undefined}>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required defaultValue={email} aria-invalid={failure ? true : undefined} />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={failure ? true : undefined} />
          <input type="hidden" name="next" value={next} />
          <button type="submit">Sign in</button>
        </form>
      </main>
      <footer className="app-footer">
        <a href="/accessibility">Accessibility</a>
      </footer>
    </div>
  );
}

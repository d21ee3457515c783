import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation, useMatches } from 'react-router';
import { pageTitle } from './routes.tsx';
import { OfflineBanner } from '../shared/offline/OfflineBanner.tsx';
import { QueuedActions } from '../shared/offline/QueuedActions.tsx';
import { currentEntry, NAVIGATION } from './navigation.ts';
import { SkipLink } from './PublicFrame.tsx';
import { ScopeSwitch } from './ScopeSwitch.tsx';
import { ThemeSwitch } from './ThemeSwitch.tsx';
import { useViewer } from './viewer.tsx';

/** The signed-in frame: skip link, header with navigation and sign-out, and the page in <main>. */
export function Layout() {
  const viewer = useViewer();
  const main = useRef<HTMLElement>(null);
  const location = useLocation();
  const matches = useMatches();
  const page = matches.at(-1);
  const title = page && pageTitle(page.handle, page);
  const first = useRef(true);
  const current = currentEntry(location.pathname);

  useEffect(() => {
    if (title) document.title = `${title} · Watchkeeper`;
    // Focus follows a navigation (not the first render), so a screen reader starts at the new page.
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [location.pathname, title]);

  return (
    <>
      <SkipLink />
      <header className="app-header">
        <Link to="/" className="brand">
          Watchkeeper
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION.map((entry) => (
              <li key={entry.to}>
                <Link to={entry.to} aria-current={entry === current ? 'page' : undefined}>
                  {entry.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-end">
          {viewer?.scope && <ScopeSwitch scope={viewer.scope} />}
          <ThemeSwitch />
          {viewer && <SignOut email={viewer.email} csrfToken={viewer.csrfToken} />}
        </div>
      </header>
      <OfflineBanner />
      <QueuedActions />
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="app-footer">
        <Link to="/accessibility">Accessibility</Link>
      </footer>
    </>
  );
}

/** A real form: it works before (or without) JavaScript. */
function SignOut({ email, csrfToken }: { email: string; csrfToken: string }) {
  return (
    <form method="post" action="/sign-out" className="sign-out">
      <span className="viewer">{email}</span>
      <input type="hidden" name="csrfToken" value={csrfToken} />
      <button type="submit">Sign out</button>
    </form>
  );
}

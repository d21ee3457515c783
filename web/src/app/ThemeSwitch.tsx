import { useEffect, useState } from 'react';
import { THEME_COOKIE, type Theme } from './theme.ts';

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Follows prefers-color-scheme unless the user picks a theme. The choice is kept in a cookie, so
 * the server renders the page in it from the first byte (no flash of the other theme, and no
 * inline script, which the CSP refuses).
 */
export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>('system');
  // Without JavaScript the switch could do nothing: it stays hidden until the client has taken over.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const rendered = document.documentElement.dataset.theme;
    // A page cached for everyone (the status page) is rendered without the visitor's choice.
    const saved = rendered ?? /(?:^|; )wk_theme=(light|dark)/.exec(document.cookie)?.[1];
    if (saved === 'light' || saved === 'dark') setTheme(saved);
    setReady(true);
  }, []);
  useEffect(() => {
    if (!ready) return;
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      document.cookie = `${THEME_COOKIE}=; path=/; max-age=0; samesite=lax`;
    } else {
      document.documentElement.dataset.theme = theme;
      document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${YEAR_SECONDS}; samesite=lax`;
    }
  }, [theme, ready]);
  return (
    <label className="theme-switch" hidden={!ready}>
      Theme{' '}
      <select value={theme} onChange={(event) => setTheme(event.target.value as Theme)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

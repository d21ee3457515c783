import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'wk-theme';

/** Follows prefers-color-scheme unless the user picks a theme; the choice is kept in this browser. */
export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>('system');
  // Without JavaScript the switch could do nothing: it stays hidden until the client has taken over.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'light' || saved === 'dark') setTheme(saved);
    setReady(true);
  }, []);
  useEffect(() => {
    if (!ready) return;
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem(STORAGE_KEY);
    } else {
      document.documentElement.dataset.theme = theme;
      localStorage.setItem(STORAGE_KEY, theme);
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

/**
 * The frame of a page for everyone, signed in or not (the accessibility statement, a public status
 * page): skip link, a header with the page's brand and the theme switch, the page in <main>. Not
 * the signed-in Layout: no navigation, scope or sign-out, and nothing that needs a session.
 */
import type { ReactNode } from 'react';
import { ThemeSwitch } from './ThemeSwitch.tsx';

interface PublicFrameProps {
  className: string;
  /** The header's first item, with the class `brand`. */
  brand: ReactNode;
  mainClassName?: string;
  footer?: ReactNode;
  children: ReactNode;
}

export function PublicFrame({ className, brand, mainClassName, footer, children }: PublicFrameProps) {
  return (
    <div className={className}>
      <SkipLink />
      <header className="app-header">
        {brand}
        <div className="header-end">
          <ThemeSwitch />
        </div>
      </header>
      <main id="main" tabIndex={-1} className={mainClassName}>
        {children}
      </main>
      {footer && <footer className="app-footer">{footer}</footer>}
    </div>
  );
}

/** The first focusable element of every page: it jumps past the header to <main id="main">. */
export function SkipLink() {
  return (
    <a className="skip-link" href="#main">
      Skip to content
    </a>
  );
}

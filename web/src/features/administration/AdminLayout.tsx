/** The frame of an administration page: its h1, and the sub-navigation between admin pages. */
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { ADMIN_NAVIGATION } from './admin-navigation.ts';

export function AdminLayout({ title, children }: { title: string; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <>
      <nav aria-label="Administration" className="admin-nav">
        <ul>
          {ADMIN_NAVIGATION.map((entry) => (
            <li key={entry.to}>
              <Link to={entry.to} aria-current={pathname === entry.to || pathname.startsWith(`${entry.to}/`) ? 'page' : undefined}>
                {entry.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{title}</h1>
      {children}
    </>
  );
}

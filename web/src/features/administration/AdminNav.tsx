/** The links between the Administration pages; the current one is marked for assistive technology too. */
import { Link, useLocation } from 'react-router';
import { ADMIN_NAVIGATION } from './admin-navigation.ts';

export function AdminNav() {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Administration" className="sub-nav">
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
  );
}

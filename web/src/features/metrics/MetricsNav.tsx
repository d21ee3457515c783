/** The links between the metrics pages, carrying the time range along; the current one is marked. */
import { Link, useLocation } from 'react-router';
import { METRICS_PAGES } from './metrics-navigation.ts';
import { rangeParams, type TimeRange } from './time-range.ts';

export function MetricsNav({ range }: { range: TimeRange }) {
  const { pathname } = useLocation();
  const search = `?${rangeParams(range).toString()}`;
  return (
    <nav aria-label="Metrics" className="sub-nav">
      <ul>
        {METRICS_PAGES.map((page) => (
          <li key={page.to}>
            <Link to={{ pathname: page.to, search }} aria-current={pathname === page.to ? 'page' : undefined}>
              {page.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

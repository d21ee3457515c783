/** Watchkeeper's PostgreSQL connection pool. */
import { chartsPage } from './charts-page.tsx';
import { DATABASE_CHARTS } from './watchkeeper-charts.ts';

export const { handle, loader, Component } = chartsPage({
  title: 'Database',
  intro: 'The PostgreSQL connection pool of each instance: queries waiting for a connection mean the pool is too small or the database too slow.',
  charts: DATABASE_CHARTS,
});

/** Watchkeeper's cache: hit ratio, keys, memory. */
import { chartsPage } from './charts-page.tsx';
import { CACHE_CHARTS } from './watchkeeper-charts.ts';

export const { handle, loader, Component } = chartsPage({
  title: 'Cache',
  intro: 'The cache in front of the database (Redis, or the in-process cache without it).',
  charts: CACHE_CHARTS,
});

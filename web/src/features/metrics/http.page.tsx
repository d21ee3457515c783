/** Watchkeeper's HTTP traffic: request rate by status class, latency percentiles, error rate. */
import { chartsPage } from './charts-page.tsx';
import { HTTP_CHARTS } from './watchkeeper-charts.ts';

export const { handle, loader, Component } = chartsPage({
  title: 'HTTP traffic',
  intro: 'The requests Watchkeeper answered (its API, pages and health endpoints), per sampling interval.',
  charts: HTTP_CHARTS,
});

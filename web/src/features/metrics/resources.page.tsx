/** Watchkeeper's own resources: CPU, memory, load, disk space and I/O, network, the event loop. */
import { chartsPage } from './charts-page.tsx';
import { RESOURCE_CHARTS } from './watchkeeper-charts.ts';

export const { handle, loader, Component } = chartsPage({
  title: 'System resources',
  intro: 'What the Watchkeeper process and its host use, sampled every 15 s by each instance.',
  charts: RESOURCE_CHARTS,
});

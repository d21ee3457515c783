/**
 * The latency of a component's checks with the baseline the detector judges them against, drawn
 * by uPlot once the client has taken over (shared/chart/use-uplot-chart.ts: loaded on demand,
 * themed, no cursor under reduced motion); the server's HTML has the summary and the table instead.
 */
import type uPlotType from 'uplot';
import type { HealthHistorySample, HealthLatencyBaseline } from '../../../../contracts/health.ts';
import { paletteColour } from '../../shared/chart/palette.ts';
import { useUplotChart } from '../../shared/chart/use-uplot-chart.ts';

const HEIGHT = 220;

export function LatencyChart({ samples, baseline, label }: { samples: HealthHistorySample[]; baseline: HealthLatencyBaseline | null; label: string }) {
  const { host, failed } = useUplotChart(
    {
      height: HEIGHT,
      label,
      build: ({ element, axis }) => {
        const xs = samples.map((s) => Date.parse(s.checkedAt) / 1000);
        const series: uPlotType.Series[] = [
          {},
          { label: 'Latency (ms)', stroke: paletteColour(element, '--link'), width: 2, points: { show: samples.length < 120 } },
        ];
        const data: uPlotType.AlignedData = [xs, samples.map((s) => s.latencyMs)];
        if (baseline) {
          series.push(
            { label: 'Baseline p95 (ms)', stroke: paletteColour(element, '--pass'), width: 2, dash: [8, 4], points: { show: false } },
            { label: 'Slow threshold (ms)', stroke: paletteColour(element, '--warn'), width: 2, dash: [2, 4], points: { show: false } },
          );
          data.push(
            xs.map(() => baseline.p95Ms),
            xs.map(() => baseline.thresholdMs),
          );
        }
        return {
          series,
          axes: [axis, { ...axis, label: 'ms', labelSize: 20 }],
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] } },
          data,
        };
      },
    },
    [samples, baseline, label],
  );

  return (
    <>
      <div ref={host} className="latency-chart" />
      {failed && <p className="form-error">The chart could not be drawn: {failed}. The table below has the same data.</p>}
    </>
  );
}

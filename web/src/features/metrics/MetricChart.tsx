/**
 * A chart of a metric's lines over a range, drawn by uPlot once the client has taken over (loaded
 * on demand, so only the pages with charts carry it). Colours follow the palette and the theme;
 * under prefers-reduced-motion the cursor that follows the pointer is off. The chart is an image
 * named by its summary: the table beside it holds the same values for whoever cannot see it.
 */
import type uPlotType from 'uplot';
import { paletteColour } from '../../shared/chart/palette.ts';
import { useUplotChart } from '../../shared/chart/use-uplot-chart.ts';
import type { AlignedLines } from './metric-series.ts';
import { formatMetricValue, type MetricUnit } from './metric-units.ts';
import { lineColourVariable, lineDash } from './line-styles.ts';

const HEIGHT = 200;
const MIN_WIDTH = 240;

/** The least the y axis reaches: a flat line near zero stays near the bottom in a unit it reads in. */
const Y_FLOOR: Record<MetricUnit, number> = {
  ratio: 0.01,
  bytes: 1024,
  'bytes-per-second': 1024,
  seconds: 0.001,
  'requests-per-second': 1,
  count: 1,
  number: 1,
};

/** A time tick in UTC, 24-hour as the tables write it; with the day when the range spans days. */
function timeTick(seconds: number, spanSeconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return spanSeconds > 2 * 86_400 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** Whole numbers only for counts: a tick at 2.5 connections would read as 3. */
const INTEGER_INCREMENTS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((n) => n * 10 ** power)).flat();

/** Ticks at binary multiples (1, 2, 4 … GiB) rather than uPlot's decimal ones (6.98 GiB). */
const BINARY_INCREMENTS = Array.from({ length: 6 }, (_, power) => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((n) => n * 1024 ** power)).flat();

interface MetricChartProps {
  aligned: AlignedLines;
  names: string[];
  unit: MetricUnit;
  /** The chart's accessible name: what it shows and its values in words. */
  label: string;
  range: { from: number; to: number };
  yMax?: number | undefined;
}

export function MetricChart({ aligned, names, unit, label, range, yMax }: MetricChartProps) {
  const { host, failed } = useUplotChart(
    {
      height: HEIGHT,
      minWidth: MIN_WIDTH,
      label,
      build: ({ element, axis }) => ({
        series: [
          {},
          ...names.map((name, i) => ({
            label: name,
            stroke: paletteColour(element, lineColourVariable(i)),
            width: 2,
            dash: lineDash(i),
            // A step the sampler missed (a slow round) is bridged rather than drawn as an outage.
            spanGaps: true,
            points: { show: aligned.times.length < 60 },
          })),
        ],
        axes: [
          { ...axis, values: (_u, splits) => splits.map((t) => timeTick(t, (range.to - range.from) / 1000)) },
          {
            ...axis,
            size: 76,
            values: (_u, splits) => splits.map((v) => formatMetricValue(v, unit)),
            ...(unit === 'bytes' || unit === 'bytes-per-second' ? { incrs: BINARY_INCREMENTS } : unit === 'count' ? { incrs: INTEGER_INCREMENTS } : {}),
          },
        ],
        scales: {
          // The whole range asked for, even where it has no data yet.
          x: { time: true, range: () => [range.from / 1000, range.to / 1000] },
          y: { range: (_u, _min, max) => [0, Math.max((max ?? 0) * 1.1, yMax ?? 0, Y_FLOOR[unit])] },
        },
        data: [aligned.times, ...aligned.values] as uPlotType.AlignedData,
      }),
    },
    [aligned, names, unit, label, range.from, range.to, yMax],
  );

  return (
    <>
      <div ref={host} className="metric-chart" />
      {failed && <p className="form-error">The chart could not be drawn: {failed}. The table has the same data.</p>}
    </>
  );
}

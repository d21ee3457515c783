/**
 * A uPlot chart in an element the caller renders: uPlot is loaded on demand (only the pages with
 * charts carry it), drawn with the palette's colours and redrawn when the theme changes, resized
 * with its element, destroyed with the component. Every chart of the dashboard speaks UTC, shows
 * no legend (the page has its own), and under prefers-reduced-motion has no cursor following the
 * pointer. The chart is an image named by `label`; a table beside it holds the same values.
 */
import { useEffect, useRef, useState, type DependencyList } from 'react';
import type uPlotType from 'uplot';
import { onThemeChange, paletteColour } from './palette.ts';

/** What a chart's own options are built from, at each draw. */
export interface ChartCanvas {
  element: HTMLElement;
  /** The axis look in the current theme: text colour, thin grid lines and ticks. */
  axis: uPlotType.Axis;
  UPlot: typeof uPlotType;
}

export interface ChartDefinition {
  series: uPlotType.Series[];
  axes: uPlotType.Axis[];
  scales: uPlotType.Scales;
  data: uPlotType.AlignedData;
}

export function useUplotChart(
  { height, minWidth = 240, label, build }: { height: number; minWidth?: number; label: string; build: (canvas: ChartCanvas) => ChartDefinition },
  deps: DependencyList,
) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | undefined>();

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    let chart: uPlotType | undefined;
    let cancelled = false;
    let stopTheme = () => {};
    let resize: ResizeObserver | undefined;
    const width = () => Math.max(element.clientWidth, minWidth);

    const draw = (UPlot: typeof uPlotType) => {
      chart?.destroy();
      const text = paletteColour(element, '--text');
      const grid = paletteColour(element, '--border');
      const axis = { stroke: text, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 } };
      const { data, ...definition } = build({ element, axis, UPlot });
      chart = new UPlot(
        {
          width: width(),
          height,
          ...definition,
          // The pages speak UTC everywhere else: so do the axes' times (ticks placed on UTC hours).
          tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
          legend: { show: false },
          cursor: { show: !matchMedia('(prefers-reduced-motion: reduce)').matches, drag: { x: false, y: false } },
        },
        data,
        element,
      );
      chart.root.setAttribute('role', 'img');
      chart.root.setAttribute('aria-label', label);
    };

    import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled) return;
        draw(UPlot);
        stopTheme = onThemeChange(() => draw(UPlot));
        resize = new ResizeObserver(() => chart?.setSize({ width: width(), height }));
        resize.observe(element);
      })
      .catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
    return () => {
      cancelled = true;
      stopTheme();
      resize?.disconnect();
      chart?.destroy();
    };
    // Redrawn when what the caller's `build` and `label` read changes: the caller names it.
  }, deps);

  return { host, failed };
}

/**
 * The latency of a component's checks with the baseline the detector judges them against, drawn
 * by uPlot once the client has taken over. uPlot is loaded here, on demand, so the other pages'
 * bundles do not carry it; the server's HTML has the summary and the table instead.
 *
 * Colours come from the palette (light-dark() variables), resolved through a probe element and
 * redrawn when the theme changes. uPlot never animates; under prefers-reduced-motion its cursor,
 * which moves with the pointer, is off as well.
 */
import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';
import type { HealthHistorySample, HealthLatencyBaseline } from '../../../../contracts/health.ts';

const HEIGHT = 220;

/** A palette variable as the colour it resolves to now (canvas needs a colour, not var()). */
function paletteColour(host: HTMLElement, variable: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`; // CSSOM, which the CSP allows (no style attribute in markup)
  host.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

function onThemeChange(listener: () => void): () => void {
  const observer = new MutationObserver(listener);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', listener);
  return () => {
    observer.disconnect();
    scheme.removeEventListener('change', listener);
  };
}

export function LatencyChart({ samples, baseline, label }: { samples: HealthHistorySample[]; baseline: HealthLatencyBaseline | null; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | undefined>();

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    let chart: uPlotType | undefined;
    let cancelled = false;
    let stopTheme = () => {};
    let resize: ResizeObserver | undefined;

    const draw = (UPlot: typeof uPlotType) => {
      chart?.destroy();
      const text = paletteColour(element, '--text');
      const grid = paletteColour(element, '--border');
      const axis = { stroke: text, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 } };
      const xs = samples.map((s) => Date.parse(s.checkedAt) / 1000);
      const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
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
      chart = new UPlot(
        {
          width: Math.max(element.clientWidth, 240),
          height: HEIGHT,
          series,
          axes: [axis, { ...axis, label: 'ms', labelSize: 20 }],
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] } },
          // The page speaks UTC everywhere else: so do the axis' times.
          tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
          legend: { show: false },
          cursor: { show: !reduced, drag: { x: false, y: false } },
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
        resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(element.clientWidth, 240), height: HEIGHT }));
        resize.observe(element);
      })
      .catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
    return () => {
      cancelled = true;
      stopTheme();
      resize?.disconnect();
      chart?.destroy();
    };
  }, [samples, baseline, label]);

  return (
    <>
      <div ref={host} className="latency-chart" />
      {failed && <p className="form-error">The chart could not be drawn: {failed}. The table below has the same data.</p>}
    </>
  );
}

/** A chart's series as lines: named, aligned on one time axis (as uPlot draws them), summarized in words. */
import type { MetricUnit } from './metric-units.ts';
import { formatMetricValue } from './metric-units.ts';

export interface MetricLine {
  name: string;
  labels: Record<string, string>;
  /** [seconds since the epoch, value], oldest first; a step without points is absent. */
  points: [number, number][];
}

export interface AlignedLines {
  times: number[];
  /** One array per line, a value or null (no point in that step) per time. */
  values: (number | null)[][];
}

export function alignLines(lines: readonly MetricLine[]): AlignedLines {
  const times = [...new Set(lines.flatMap((line) => line.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const values = lines.map((line) => {
    const row: (number | null)[] = times.map(() => null);
    for (const [t, v] of line.points) row[index.get(t)!] = v;
    return row;
  });
  return { times, values };
}

/**
 * The lines of an instance are told apart from another's only when there are several: a single
 * instance's lines keep their short names.
 */
export function nameByInstance(lines: MetricLine[]): MetricLine[] {
  const instances = new Set(lines.map((line) => line.labels.instance));
  if (instances.size <= 1) return lines;
  return lines.map((line) => ({ ...line, name: `${line.name} (${line.labels.instance ?? 'no instance'})` }));
}

/**
 * The share `part` holds of all lines of the same instance at each time: the error rate as the
 * 5xx share of requests. A time without traffic has no share (not 0 %: nothing failed or passed).
 */
export function shareOf(lines: readonly MetricLine[], isPart: (line: MetricLine) => boolean, name: string): MetricLine[] {
  const byInstance = new Map<string, MetricLine[]>();
  for (const line of lines) {
    const instance = line.labels.instance ?? '';
    byInstance.set(instance, [...(byInstance.get(instance) ?? []), line]);
  }
  return [...byInstance.entries()].map(([instance, group]) => {
    const totals = new Map<number, number>();
    const parts = new Map<number, number>();
    for (const line of group) {
      for (const [t, v] of line.points) {
        totals.set(t, (totals.get(t) ?? 0) + v);
        if (isPart(line)) parts.set(t, (parts.get(t) ?? 0) + v);
      }
    }
    const points = [...totals.entries()]
      .filter(([, total]) => total > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([t, total]): [number, number] => [t, (parts.get(t) ?? 0) / total]);
    const labels: Record<string, string> = instance ? { instance } : {};
    return { name, labels, points };
  });
}

/** One line in words: its latest value, its lowest and highest over the range. */
export function describeLine(line: MetricLine, unit: MetricUnit): string {
  if (line.points.length === 0) return `${line.name}: no data`;
  const values = line.points.map(([, v]) => v);
  const format = (v: number) => formatMetricValue(v, unit);
  return `${line.name}: latest ${format(values.at(-1)!)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}`;
}

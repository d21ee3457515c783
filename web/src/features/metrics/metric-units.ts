/** A metric's values in the words a reader expects: bytes in binary units, ratios as percents, seconds as ms. */
export type MetricUnit = 'ratio' | 'bytes' | 'bytes-per-second' | 'seconds' | 'requests-per-second' | 'count' | 'number';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Three significant digits at most, trailing zeros dropped: 1.5, 12.3, 123. */
function significant(value: number): string {
  if (value === 0) return '0';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${significant(value)} ${BYTE_UNITS[unit]}`;
}

export function formatSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 ms';
  if (abs < 0.001) return `${significant(seconds * 1e6)} µs`;
  if (abs < 1) return `${significant(seconds * 1000)} ms`;
  return `${significant(seconds)} s`;
}

/** A value of the unit; `—` where there is none (no point in that step). */
export function formatMetricValue(value: number | null | undefined, unit: MetricUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ratio':
      return `${significant(value * 100)} %`;
    case 'bytes':
      return formatBytes(value);
    case 'bytes-per-second':
      return `${formatBytes(value)}/s`;
    case 'seconds':
      return formatSeconds(value);
    case 'requests-per-second':
      return `${significant(value)} req/s`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'number':
      return Math.abs(value) >= 1e6 ? value.toExponential(2) : significant(value);
  }
}

/**
 * The unit of a metric named as Prometheus advises (the unit as a suffix), for the explorer's
 * metrics whose unit nobody declared.
 */
export function unitOfMetricName(name: string): MetricUnit {
  if (/_bytes_per_second$/.test(name)) return 'bytes-per-second';
  if (/_bytes$/.test(name)) return 'bytes';
  if (/_ratio$/.test(name)) return 'ratio';
  if (/_seconds$/.test(name)) return 'seconds';
  if (/_requests_per_second$/.test(name)) return 'requests-per-second';
  if (/_(total|count|connections|requests|keys|sessions|users)$/.test(name)) return 'count';
  return 'number';
}

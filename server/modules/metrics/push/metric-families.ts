/**
 * What a push carries, whatever its wire format (text or protobuf): metric families with their
 * samples, validated against Prometheus's naming rules. A push is all or nothing, so the first
 * problem found refuses it, named precisely enough to fix (the line, the metric, the label).
 */
export type PushedMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PushedSample {
  /** The series name: the family's, or `<family>_bucket`, `_sum`, `_count` for histograms and summaries. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PushedFamily {
  name: string;
  help: string;
  type: PushedMetricType;
  samples: PushedSample[];
}

/** A push that cannot be taken; `line` for the text format (1-based), `metric` when one is at fault. */
export class PushFormatError extends Error {
  readonly line: number | undefined;
  readonly metric: string | undefined;
  constructor(message: string, { line, metric }: { line?: number; metric?: string } = {}) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'PushFormatError';
    this.line = line;
    this.metric = metric;
  }
}

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The series a family's samples may be named, by type. */
export function seriesNamesOf(family: { name: string; type: PushedMetricType }): string[] {
  if (family.type === 'histogram') return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}

/** A series' identity within its family: name and labels, in a stable order. */
export function seriesKey(sample: PushedSample): string {
  return `${sample.name}{${Object.keys(sample.labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(sample.labels[name])}`)
    .join(',')}}`;
}

/**
 * The checks every family passes, whichever format it came in: names, reserved labels, no
 * duplicate series, and the labels histograms and summaries need.
 */
export function checkFamily(family: PushedFamily, where: (sample: PushedSample) => { line?: number } = () => ({})): void {
  const metric = family.name;
  if (!METRIC_NAME.test(metric)) throw new PushFormatError(`"${metric}" is not a valid metric name (${METRIC_NAME.source})`, { metric });
  const seen = new Set<string>();
  const names = seriesNamesOf(family);
  for (const sample of family.samples) {
    const at = { ...where(sample), metric };
    if (!names.includes(sample.name)) throw new PushFormatError(`${sample.name} is not a series of ${family.type} ${metric} (${names.join(', ')})`, at);
    for (const label of Object.keys(sample.labels)) {
      if (!LABEL_NAME.test(label)) throw new PushFormatError(`"${label}" is not a valid label name (${LABEL_NAME.source})`, at);
      if (label.startsWith('__')) throw new PushFormatError(`label names starting with "__" are reserved: "${label}"`, at);
    }
    const key = seriesKey(sample);
    if (seen.has(key)) throw new PushFormatError(`the series ${key} appears twice`, at);
    seen.add(key);
    if (family.type === 'histogram' && sample.name === `${metric}_bucket`) {
      const le = sample.labels['le'];
      if (le === undefined || Number.isNaN(parseSampleValue(le))) throw new PushFormatError(`a bucket of histogram ${metric} needs a numeric "le" label`, at);
    }
    if (family.type === 'summary' && sample.name === metric) {
      const quantile = sample.labels['quantile'];
      if (quantile === undefined || Number.isNaN(parseSampleValue(quantile)))
        throw new PushFormatError(`a quantile of summary ${metric} needs a numeric "quantile" label`, at);
    }
    if (family.type === 'counter' && sample.value < 0) throw new PushFormatError(`counter ${metric} has a negative value (${sample.value})`, at);
  }
  if (family.type === 'histogram') checkHistogramBuckets(family);
}

/** Each histogram series (its labels without `le`) has a +Inf bucket. */
function checkHistogramBuckets(family: PushedFamily): void {
  const withInf = new Set<string>();
  const all = new Set<string>();
  for (const sample of family.samples) {
    if (sample.name !== `${family.name}_bucket`) continue;
    const { le, ...rest } = sample.labels;
    const key = seriesKey({ name: '', labels: rest, value: 0 });
    all.add(key);
    if (parseSampleValue(le!) === Infinity) withInf.add(key);
  }
  for (const key of all)
    if (!withInf.has(key)) throw new PushFormatError(`histogram ${family.name} has no le="+Inf" bucket for ${key}`, { metric: family.name });
}

/** Decimal notation as Go's ParseFloat reads it (Number() would take hex and blanks too). */
const isDecimal = (text: string) => text !== '' && /^[0-9eE.+-]+$/.test(text) && !Number.isNaN(Number(text));

/** A sample value or `le`/`quantile` label as Prometheus reads it; NaN when it is not a number. */
export function parseSampleValue(text: string): number {
  if (isDecimal(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  return NaN;
}

export function isSampleValue(text: string): boolean {
  return isDecimal(text) || ['nan', '+inf', 'inf', '-inf'].includes(text.toLowerCase());
}

/**
 * Reads the Prometheus protobuf exposition format — length-delimited `io.prometheus.client.
 * MetricFamily` messages (`application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`), what the Go and Java clients' Pushgateway support sends — into the same
 * families as the text format, through protobufjs and the schema of prometheus/client_model
 * (native-histogram fields left out: they are skipped as unknown fields, and a histogram with no
 * classic buckets is refused).
 */
import protobuf from 'protobufjs';
import { checkFamily, PushFormatError, type PushedFamily, type PushedMetricType, type PushedSample } from './metric-families.ts';

const SCHEMA = `
syntax = "proto2";
package io.prometheus.client;
message LabelPair { optional string name = 1; optional string value = 2; }
enum MetricType { COUNTER = 0; GAUGE = 1; SUMMARY = 2; UNTYPED = 3; HISTOGRAM = 4; GAUGE_HISTOGRAM = 5; }
message Gauge { optional double value = 1; }
message Counter { optional double value = 1; }
message Quantile { optional double quantile = 1; optional double value = 2; }
message Summary { optional uint64 sample_count = 1; optional double sample_sum = 2; repeated Quantile quantile = 3; }
message Untyped { optional double value = 1; }
message Bucket { optional uint64 cumulative_count = 1; optional double cumulative_count_float = 4; optional double upper_bound = 2; }
message Histogram { optional uint64 sample_count = 1; optional double sample_count_float = 4; optional double sample_sum = 2; repeated Bucket bucket = 3; }
message Metric {
  repeated LabelPair label = 1;
  optional Gauge gauge = 2;
  optional Counter counter = 3;
  optional Summary summary = 4;
  optional Untyped untyped = 5;
  optional Histogram histogram = 7;
  optional int64 timestamp_ms = 6;
}
message MetricFamily { optional string name = 1; optional string help = 2; optional MetricType type = 3; repeated Metric metric = 4; }
`;

const MetricFamilyMessage = protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('io.prometheus.client.MetricFamily');

interface DecodedMetric {
  label?: { name?: string; value?: string }[];
  gauge?: { value?: number };
  counter?: { value?: number };
  untyped?: { value?: number };
  summary?: { sample_count?: number; sample_sum?: number; quantile?: { quantile?: number; value?: number }[] };
  histogram?: {
    sample_count?: number;
    sample_count_float?: number;
    sample_sum?: number;
    bucket?: { cumulative_count?: number; cumulative_count_float?: number; upper_bound?: number }[];
  };
  timestamp_ms?: number;
}

const TYPES: Record<string, PushedMetricType> = { COUNTER: 'counter', GAUGE: 'gauge', SUMMARY: 'summary', UNTYPED: 'untyped', HISTOGRAM: 'histogram' };

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf';

export function parseProtobufDelimited(body: Uint8Array): PushedFamily[] {
  const reader = protobuf.Reader.create(body);
  const families: PushedFamily[] = [];
  const names = new Set<string>();
  while (reader.pos < reader.len) {
    let decoded: { name?: string; help?: string; type?: string; metric?: DecodedMetric[] };
    const at = reader.pos;
    try {
      decoded = MetricFamilyMessage.toObject(MetricFamilyMessage.decodeDelimited(reader), { enums: String, longs: Number, defaults: false }) as typeof decoded;
    } catch (error) {
      throw new PushFormatError(`the protobuf body is not a sequence of length-delimited MetricFamily messages (at byte ${at}: ${(error as Error).message})`);
    }
    const name = decoded.name ?? '';
    const type = TYPES[decoded.type ?? 'COUNTER'];
    if (!type) throw new PushFormatError(`metric ${name} has type ${decoded.type}, which a push cannot carry`, { metric: name });
    if (names.has(name)) throw new PushFormatError(`metric family ${name} appears twice`, { metric: name });
    names.add(name);
    const family: PushedFamily = { name, help: decoded.help ?? '', type, samples: (decoded.metric ?? []).flatMap((metric) => samplesOf(name, type, metric)) };
    checkFamily(family);
    families.push(family);
  }
  return families;
}

function samplesOf(name: string, type: PushedMetricType, metric: DecodedMetric): PushedSample[] {
  if (metric.timestamp_ms !== undefined && metric.timestamp_ms !== 0)
    throw new PushFormatError(`${name} has a timestamp: pushed samples may not carry one (they are as of the push)`, { metric: name });
  const labels: Record<string, string> = {};
  for (const pair of metric.label ?? []) {
    const label = pair.name ?? '';
    if (label in labels) throw new PushFormatError(`label ${label} appears twice in a series of ${name}`, { metric: name });
    labels[label] = pair.value ?? '';
  }
  const sample = (series: string, value: number | undefined, extra: Record<string, string> = {}): PushedSample => ({
    name: series,
    labels: { ...labels, ...extra },
    value: value ?? 0,
  });
  switch (type) {
    case 'counter':
      return [sample(name, metric.counter?.value)];
    case 'gauge':
      return [sample(name, metric.gauge?.value)];
    case 'untyped':
      return [sample(name, metric.untyped?.value)];
    case 'summary': {
      const summary = metric.summary ?? {};
      return [
        ...(summary.quantile ?? []).map((q) => sample(name, q.value, { quantile: formatBound(q.quantile ?? 0) })),
        sample(`${name}_sum`, summary.sample_sum),
        sample(`${name}_count`, summary.sample_count),
      ];
    }
    case 'histogram': {
      const histogram = metric.histogram ?? {};
      const count = histogram.sample_count_float ?? histogram.sample_count ?? 0;
      const buckets = (histogram.bucket ?? []).map((b) =>
        sample(`${name}_bucket`, b.cumulative_count_float ?? b.cumulative_count, { le: formatBound(b.upper_bound ?? 0) }),
      );
      if (buckets.length === 0) throw new PushFormatError(`histogram ${name} has no buckets (native histograms are not taken)`, { metric: name });
      // The clients leave the +Inf bucket out: it is the count.
      if (!buckets.some((b) => b.labels['le'] === '+Inf')) buckets.push(sample(`${name}_bucket`, count, { le: '+Inf' }));
      return [...buckets, sample(`${name}_sum`, histogram.sample_sum), sample(`${name}_count`, count)];
    }
  }
}

const formatBound = (bound: number) => (bound === Infinity ? '+Inf' : bound === -Infinity ? '-Inf' : String(bound));

/** Encodes families as the delimited protobuf format (tests, and clients written in JavaScript). */
export function encodeProtobufDelimited(families: { name: string; help?: string; type: keyof typeof TYPES; metric: DecodedMetric[] }[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const family of families) MetricFamilyMessage.encodeDelimited(MetricFamilyMessage.fromObject(family), writer);
  return writer.finish();
}

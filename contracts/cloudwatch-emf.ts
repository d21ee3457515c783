/**
 * The CloudWatch Embedded Metric Format (EMF) as its specification states it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * a JSON object whose `_aws` member tells CloudWatch Logs which of the object's other members are
 * metrics (and in which namespace, unit and dimensions), so a log line becomes metrics with no agent.
 *
 * The shape alone does not make a valid document: every metric and dimension a directive names
 * must be a member of the root, with a number (or numbers) for a metric and a string for a
 * dimension. CloudWatch drops a document that breaks those rules without a word in the log, so the
 * schema checks them too (`superRefine`).
 */
import { z } from 'zod';

/** The units CloudWatch accepts (MetricDatum.Unit); anything else makes the directive invalid. */
export const EMF_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;
export type EmfUnit = (typeof EMF_UNITS)[number];

export const emfMetricDefinitionSchema = z.strictObject({
  Name: z.string().min(1).max(1024),
  Unit: z.enum(EMF_UNITS).optional(),
  // 1: high resolution (per second, billed as such); 60, the default: standard resolution.
  StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
});
export type EmfMetricDefinition = z.infer<typeof emfMetricDefinitionSchema>;

export const emfMetricDirectiveSchema = z.strictObject({
  Namespace: z.string().min(1).max(1024),
  // Each DimensionSet names root members; an empty set is allowed (a metric without dimensions).
  Dimensions: z.array(z.array(z.string().min(1)).max(30)),
  Metrics: z.array(emfMetricDefinitionSchema).max(100),
});
export type EmfMetricDirective = z.infer<typeof emfMetricDirectiveSchema>;

export const emfMetadataSchema = z.object({
  // Milliseconds since the epoch: the metrics' time.
  Timestamp: z.number().int().nonnegative(),
  CloudWatchMetrics: z.array(emfMetricDirectiveSchema),
});

/** A metric's value: a number, or up to 100 of them (CloudWatch aggregates them). */
const metricValueSchema = z.union([
  z.number().refine(Number.isFinite, 'a metric value is a finite number'),
  z.array(z.number().refine(Number.isFinite)).max(100),
]);
const dimensionValueSchema = z.string().min(1).max(1024);

export const emfDocumentSchema = z.looseObject({ _aws: emfMetadataSchema }).superRefine((document, context) => {
  const root = document as Record<string, unknown>;
  document._aws.CloudWatchMetrics.forEach((directive, d) => {
    directive.Dimensions.forEach((set, s) =>
      set.forEach((name, n) => {
        if (!dimensionValueSchema.safeParse(root[name]).success)
          context.addIssue({
            code: 'custom',
            path: ['_aws', 'CloudWatchMetrics', d, 'Dimensions', s, n],
            message: `dimension ${JSON.stringify(name)} is not a string member of the root (1 to 1024 characters)`,
          });
      }),
    );
    directive.Metrics.forEach((metric, m) => {
      if (!metricValueSchema.safeParse(root[metric.Name]).success)
        context.addIssue({
          code: 'custom',
          path: ['_aws', 'CloudWatchMetrics', d, 'Metrics', m, 'Name'],
          message: `metric ${JSON.stringify(metric.Name)} is not a member of the root holding a number or an array of up to 100 numbers`,
        });
    });
  });
});

export type EmfDocument = z.infer<typeof emfDocumentSchema> & Record<string, unknown>;

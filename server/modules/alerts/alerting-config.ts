/**
 * A project's alerting configuration, Alertmanager's document in our names: the routing tree,
 * the receivers, inhibition rules and named time intervals. Validated and resolved once (routes'
 * settings inherited, matchers compiled), then asked per alert: which receivers, which group,
 * muted by which interval, inhibited by which firing alert.
 *
 * Until receivers and routes are managed through the API, every project has the default: one
 * route to the receiver `default`, grouped by `alertname`, with no channels.
 */
import { z } from 'zod';
import type { GettableAlert } from '../../../contracts/alertmanager.ts';
import { buildInhibitRule, inhibitRuleSchema, isInhibited, type InhibitRule } from './routing/inhibition.ts';
import type { Labels } from './routing/matchers.ts';
import { buildRoutingTree, groupKeyFor, matchRoutes, rootRouteConfigSchema, type Route } from './routing/routing-tree.ts';
import { buildTimeInterval, isActive, timeIntervalsSchema, type TimeInterval } from './routing/time-intervals.ts';

export const receiverConfigSchema = z.strictObject({
  name: z.string().min(1).max(256),
  /** Channel integrations (`{ type: 'webhook', url, … }`), validated by the channel registry. */
  channels: z.array(z.record(z.string(), z.unknown())).default([]),
});

export const alertingConfigSchema = z
  .strictObject({
    route: rootRouteConfigSchema,
    receivers: z.array(receiverConfigSchema).min(1),
    inhibitRules: z.array(inhibitRuleSchema).default([]),
    timeIntervals: timeIntervalsSchema.default([]),
  })
  .superRefine((config, ctx) => {
    const names = new Set(config.receivers.map((r) => r.name));
    const intervals = new Set(config.timeIntervals.map((i) => i.name));
    const walk = (route: z.infer<typeof rootRouteConfigSchema>, path: (string | number)[]) => {
      if (route.receiver !== undefined && !names.has(route.receiver))
        ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `there is no receiver named ${route.receiver}` });
      for (const key of ['muteTimeIntervals', 'activeTimeIntervals'] as const)
        (route[key] ?? []).forEach((name, i) => {
          if (!intervals.has(name)) ctx.addIssue({ code: 'custom', path: [...path, key, i], message: `there is no time interval named ${name}` });
        });
      (route.routes ?? []).forEach((child, i) => walk(child, [...path, 'routes', i]));
    };
    if (config.route.receiver === undefined) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver' });
    walk(config.route, ['route']);
  });
export type AlertingConfigInput = z.input<typeof alertingConfigSchema>;

export const DEFAULT_ALERTING_CONFIG: AlertingConfigInput = {
  route: { receiver: 'default', groupBy: ['alertname'] },
  receivers: [{ name: 'default', channels: [] }],
};

export interface AlertGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: GettableAlert[];
}

export interface ResolvedAlertingConfig {
  /** The configuration as JSON, for /status's `config.original`. */
  original: string;
  route: Route;
  receivers: string[];
  /** The receivers of the routes an alert reaches, each once. */
  receiversOf(labels: Labels): string[];
  /** Names of the time intervals muting the alert at `now` on the routes it reaches. */
  mutedBy(labels: Labels, now: Date): string[];
  /** Fingerprints of the firing alerts that inhibit this one. */
  inhibitedBy(labels: Labels, firing: readonly { fingerprint: string; labels: Labels }[]): string[];
  /** The alerts grouped as they are notified: by route and the route's group labels. */
  groupsOf(alerts: readonly GettableAlert[]): AlertGroup[];
}

export function resolveAlertingConfig(input: unknown): ResolvedAlertingConfig {
  const config = alertingConfigSchema.parse(input);
  const route = buildRoutingTree(config.route);
  const inhibitRules: InhibitRule[] = config.inhibitRules.map(buildInhibitRule);
  const intervals = new Map<string, TimeInterval>(config.timeIntervals.map((interval) => [interval.name, buildTimeInterval(interval)]));
  const activeAt = (name: string, now: Date) => {
    const interval = intervals.get(name);
    return interval ? isActive(interval, now) : false;
  };

  return {
    original: JSON.stringify(config, null, 2),
    route,
    receivers: config.receivers.map((r) => r.name),
    receiversOf: (labels) => [...new Set(matchRoutes(route, labels).map((r) => r.receiver))],
    mutedBy(labels, now) {
      const muted = new Set<string>();
      for (const matched of matchRoutes(route, labels)) {
        for (const name of matched.muteTimeIntervals) if (activeAt(name, now)) muted.add(name);
        // Outside every one of its active intervals, a route is muted by them.
        if (matched.activeTimeIntervals.length > 0 && !matched.activeTimeIntervals.some((name) => activeAt(name, now)))
          matched.activeTimeIntervals.forEach((name) => muted.add(name));
      }
      return [...muted];
    },
    inhibitedBy: (labels, firing) =>
      inhibitRules.length === 0 ? [] : firing.filter((source) => isInhibited(labels, [source.labels], inhibitRules)).map((source) => source.fingerprint),
    groupsOf(alerts) {
      const groups = new Map<string, AlertGroup>();
      for (const alert of alerts) {
        for (const matched of matchRoutes(route, alert.labels)) {
          const { groupKey, groupLabels } = groupKeyFor(matched, alert.labels);
          const key = `${matched.id}\u0000${groupKey}`;
          const group = groups.get(key) ?? { labels: groupLabels, receiver: { name: matched.receiver }, alerts: [] };
          group.alerts.push(alert);
          groups.set(key, group);
        }
      }
      return [...groups.values()];
    },
  };
}

/** Each project's resolved configuration. */
export interface AlertingConfigs {
  of(projectId: string): Promise<ResolvedAlertingConfig>;
}

export function createAlertingConfigs(): AlertingConfigs {
  const fallback = resolveAlertingConfig(DEFAULT_ALERTING_CONFIG);
  return { of: async () => fallback };
}

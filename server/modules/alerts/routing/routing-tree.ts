/**
 * Alertmanager's routing tree: the route configuration (validated once), which routes an alert's
 * labels reach, and the group key and labels that decide which notification group it joins.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { compareMatchers, formatMatchers, goQuote, matchesAll, parseMatchers, type Labels, type Matcher } from './matchers.ts';

export interface RouteConfig {
  receiver?: string | undefined;
  /** Label names, or `['...']` to group by every label. */
  groupBy?: string[] | undefined;
  /** Each entry in matcher syntax, e.g. `severity=~"page|critical"`. */
  matchers?: string[] | undefined;
  continue?: boolean | undefined;
  groupWait?: string | undefined;
  groupInterval?: string | undefined;
  repeatInterval?: string | undefined;
  muteTimeIntervals?: string[] | undefined;
  activeTimeIntervals?: string[] | undefined;
  routes?: RouteConfig[] | undefined;
}

/** A route with its settings resolved against its ancestors. Durations in milliseconds. */
export interface Route {
  /** Unique in the tree: the key plus the position among siblings (Alertmanager's `Route.ID`). */
  id: string;
  /** Alertmanager's `Route.Key`: ancestors' matchers, `{}/{severity="page"}`; the group key prefix. */
  key: string;
  receiver: string;
  groupBy: string[];
  groupByAll: boolean;
  matchers: Matcher[];
  continue: boolean;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: Route[];
}

export const ROOT_DEFAULTS = { groupWait: 30_000, groupInterval: 5 * 60_000, repeatInterval: 4 * 3600_000 } as const;

const matcherString = z.string().superRefine((text, ctx) => {
  try {
    const parsed = parseMatchers(text);
    if (parsed.length !== 1) ctx.addIssue({ code: 'custom', message: `expected exactly one matcher, found ${parsed.length}` });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

function durationString(what: string, { nonZero = false } = {}) {
  return z.string().superRefine((text, ctx) => {
    try {
      if (parseDuration(text) === 0 && nonZero) ctx.addIssue({ code: 'custom', message: `${what} cannot be zero` });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
}

const groupBySchema = z.array(z.string().min(1)).superRefine((names, ctx) => {
  if (names.includes('...') && names.length > 1)
    ctx.addIssue({ code: 'custom', message: "'...' groups by all labels and cannot be combined with other names" });
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate label name "${n}"` });
    seen.add(n);
  });
});

export const routeConfigSchema: z.ZodType<RouteConfig> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    groupBy: groupBySchema.optional(),
    matchers: z.array(matcherString).optional(),
    continue: z.boolean().optional(),
    groupWait: durationString('groupWait').optional(),
    groupInterval: durationString('groupInterval', { nonZero: true }).optional(),
    repeatInterval: durationString('repeatInterval', { nonZero: true }).optional(),
    muteTimeIntervals: z.array(z.string().min(1)).optional(),
    activeTimeIntervals: z.array(z.string().min(1)).optional(),
    routes: z.array(routeConfigSchema).optional(),
  }),
);

/** The root has rules of its own: it catches everything, so it needs a receiver and no conditions. */
export const rootRouteConfigSchema = routeConfigSchema.superRefine((root, ctx) => {
  if (!root.receiver) ctx.addIssue({ code: 'custom', path: ['receiver'], message: 'the root route must name a receiver' });
  if (root.matchers?.length) ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'the root route cannot have matchers' });
  if (root.continue) ctx.addIssue({ code: 'custom', path: ['continue'], message: 'the root route cannot continue' });
  if (root.muteTimeIntervals?.length) ctx.addIssue({ code: 'custom', path: ['muteTimeIntervals'], message: 'the root route cannot have mute time intervals' });
  if (root.activeTimeIntervals?.length)
    ctx.addIssue({ code: 'custom', path: ['activeTimeIntervals'], message: 'the root route cannot have active time intervals' });
});

export class RouteConfigError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '));
    this.name = 'RouteConfigError';
    this.issues = issues;
  }
}

/** `['routes', 1, 'matchers', 0]` → `routes[1].matchers[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

function build(cfg: RouteConfig, parent: Route | undefined, index: number): Route {
  const groupBy = cfg.groupBy ?? parent?.groupBy ?? [];
  const groupByAll = cfg.groupBy ? cfg.groupBy.includes('...') : (parent?.groupByAll ?? false);
  const matchers = (cfg.matchers ?? []).flatMap((m) => parseMatchers(m)).sort(compareMatchers);
  const key = parent ? `${parent.key}/${formatMatchers(matchers)}` : formatMatchers(matchers);
  const id = parent ? `${parent.id}/${formatMatchers(matchers)}/${index}` : formatMatchers(matchers);
  const route: Route = {
    id,
    key,
    receiver: cfg.receiver ?? parent?.receiver ?? '',
    groupBy: groupByAll ? [] : groupBy,
    groupByAll,
    matchers,
    continue: cfg.continue ?? false,
    groupWait: cfg.groupWait !== undefined ? parseDuration(cfg.groupWait) : (parent?.groupWait ?? ROOT_DEFAULTS.groupWait),
    groupInterval: cfg.groupInterval !== undefined ? parseDuration(cfg.groupInterval) : (parent?.groupInterval ?? ROOT_DEFAULTS.groupInterval),
    repeatInterval: cfg.repeatInterval !== undefined ? parseDuration(cfg.repeatInterval) : (parent?.repeatInterval ?? ROOT_DEFAULTS.repeatInterval),
    // Not inherited, as in Alertmanager: a time interval applies only to the route that names it.
    muteTimeIntervals: cfg.muteTimeIntervals ?? [],
    activeTimeIntervals: cfg.activeTimeIntervals ?? [],
    routes: [],
  };
  route.routes = (cfg.routes ?? []).map((child, i) => build(child, route, i));
  return route;
}

/** Validates a root route configuration and resolves it; errors name each offending field's path. */
export function buildRoutingTree(input: unknown): Route {
  const result = rootRouteConfigSchema.safeParse(input);
  if (!result.success) throw new RouteConfigError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  return build(result.data, undefined, 0);
}

/**
 * The routes an alert reaches, in Alertmanager's order: depth first; among siblings the first
 * match stops the search unless it has `continue`; a matching route whose children all miss is
 * itself the answer. Empty when the route's own matchers miss (never for the root, which has none).
 */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const matched = matchRoutes(child, labels);
    all.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels an alert is grouped by on a route: present labels only, as Alertmanager does. */
export function groupLabelsFor(route: Route, labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    if (route.groupByAll || route.groupBy.includes(name)) out[name] = value;
  }
  return out;
}

/** Go's `model.LabelSet.String()`: `{a="1", b="2"}`, sorted. */
export function formatLabelSet(labels: Labels): string {
  const parts = Object.entries(labels).map(([n, v]) => `${n}=${goQuote(v)}`);
  parts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${parts.join(', ')}}`;
}

/** Alertmanager's group key, `{}/{severity="page"}:{alertname="X"}`, and the group labels. */
export function groupKeyFor(route: Route, labels: Labels): { groupKey: string; groupLabels: Record<string, string> } {
  const groupLabels = groupLabelsFor(route, labels);
  return { groupKey: `${route.key}:${formatLabelSet(groupLabels)}`, groupLabels };
}

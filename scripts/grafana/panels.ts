/**
 * Builders for the Grafana dashboards of deploy/grafana: compact panel definitions in, the JSON
 * Grafana imports (schemaVersion 39) out. Panels are laid out left to right in the 24-column grid,
 * in the order given, wrapping when a row is full.
 */

/** Every query and variable goes through the `datasource` variable, so the same JSON works provisioned (uid watchkeeper-prometheus) or imported by hand. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
export const DATASOURCE_UID = 'watchkeeper-prometheus';
export const TAG = 'watchkeeper';
export const SCHEMA_VERSION = 39;

type Unit = 's' | 'bytes' | 'percentunit' | 'reqps' | 'ops' | 'short';
type Color = 'green' | 'yellow' | 'orange' | 'red' | 'blue' | 'text';

/** A series selector scoped to the chosen jobs and instances: `sel('up', 'x="1"')` → `up{job=~"$job", instance=~"$instance", x="1"}`. */
export function sel(metric: string, matchers = ''): string {
  return `${metric}{job=~"$job", instance=~"$instance"${matchers ? `, ${matchers}` : ''}}`;
}

/** `rate(…[$__rate_interval])` of a scoped selector. */
export const rate = (metric: string, matchers = '') => `rate(${sel(metric, matchers)}[$__rate_interval])`;

/** value → [text, colour], for coded values such as health statuses. */
export type Mappings = Record<number, [string, Color]>;

export interface Query {
  expr: string;
  legend?: string;
  /** One value per series, for stats and tables (the end of the range), not a range. */
  instant?: boolean;
}

export interface PanelOptions {
  title: string;
  description: string;
  queries: (Query | string)[];
  unit?: Unit;
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  mappings?: Mappings;
  /** [colour, from value] steps, the first from -∞. */
  thresholds?: [Color, number | null][];
  links?: { title: string; url: string }[];
}

/** A panel before the dashboard gives it its id and grid position. */
export type PanelDraft = Record<string, unknown> & { gridPos: { w: number; h: number } };

function target(query: Query | string, index: number, format?: 'table') {
  const { expr, legend, instant } = typeof query === 'string' ? { expr: query } : query;
  return {
    refId: String.fromCharCode(65 + index),
    datasource: DATASOURCE,
    expr,
    legendFormat: legend ?? '__auto',
    range: !instant && !format,
    instant: Boolean(instant || format),
    ...(format ? { format } : {}),
  };
}

function mappingsOf(mappings: PanelOptions['mappings']) {
  if (!mappings) return [];
  const options = Object.fromEntries(Object.entries(mappings).map(([value, [text, color]], index) => [value, { text, color, index }]));
  return [{ type: 'value', options }];
}

function panel(
  type: string,
  options: PanelOptions,
  extra: { options: Record<string, unknown>; custom?: Record<string, unknown>; format?: 'table' },
): PanelDraft {
  const { title, description, queries, unit, width = 12, height = 8, min, max, mappings, thresholds, links } = options;
  return {
    type,
    title,
    description,
    datasource: DATASOURCE,
    gridPos: { w: width, h: height },
    fieldConfig: {
      defaults: {
        ...(unit ? { unit } : {}),
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(extra.custom ? { custom: extra.custom } : {}),
        color: { mode: mappings || thresholds ? 'thresholds' : 'palette-classic' },
        mappings: mappingsOf(mappings),
        thresholds: { mode: 'absolute', steps: (thresholds ?? [['green', null]]).map(([color, value]) => ({ color, value })) },
      },
      overrides: [],
    },
    options: extra.options,
    targets: queries.map((query, index) => target(query, index, extra.format)),
    ...(links ? { links } : {}),
  };
}

const LEGEND = { displayMode: 'list', placement: 'bottom', showLegend: true };

export const timeseries = (options: PanelOptions) =>
  panel('timeseries', options, {
    options: { legend: LEGEND, tooltip: { mode: 'multi', sort: 'desc' } },
    custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false },
  });

/** `textMode: 'name'` shows the legend instead of the value (an info metric's labels). */
export const stat = (options: PanelOptions, { textMode = 'auto' }: { textMode?: 'auto' | 'name' } = {}) =>
  panel(
    'stat',
    { width: 4, height: 4, ...options },
    {
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode,
      },
    },
  );

export const stateTimeline = (options: PanelOptions) =>
  panel('state-timeline', options, {
    options: { mergeValues: true, showValue: 'never', alignValue: 'left', rowHeight: 0.9, legend: LEGEND, tooltip: { mode: 'single', sort: 'none' } },
    custom: { fillOpacity: 80, lineWidth: 0 },
  });

/** One row per series, its labels as columns, from an instant query. */
export const table = (options: PanelOptions) => ({
  ...panel('table', options, { options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } }, format: 'table' }),
  transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: {} } }],
});

/** A link that opens another Watchkeeper dashboard with the same time range and variables. */
export function dashboardLink(uid: string, title: string) {
  return { title, url: `/d/${uid}?\${__url_time_range}&\${datasource:queryparam}&\${job:queryparam}&\${instance:queryparam}` };
}

export const datasourceVariable = {
  name: 'datasource',
  label: 'Data source',
  type: 'datasource',
  query: 'prometheus',
  // The provisioned data source when it exists; Grafana falls back to the default Prometheus otherwise.
  current: { selected: false, text: 'Watchkeeper Prometheus', value: DATASOURCE_UID },
  hide: 0,
  includeAll: false,
  multi: false,
  options: [],
  refresh: 1,
  regex: '',
};

export function queryVariable({
  name,
  label,
  query,
  regex = '',
  includeAll = true,
}: {
  name: string;
  label: string;
  query: string;
  regex?: string;
  includeAll?: boolean;
}) {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query, refId: `watchkeeper-${name}-variable` },
    definition: query,
    current: {},
    hide: 0,
    includeAll,
    // `.+`, not `.*`: Prometheus refuses a selector whose every matcher matches the empty string.
    ...(includeAll ? { allValue: '.+' } : {}),
    multi: true,
    options: [],
    refresh: 2,
    regex,
    sort: 1,
  };
}

export const jobVariable = queryVariable({ name: 'job', label: 'Job', query: 'label_values(up, job)' });
export const instanceVariable = queryVariable({ name: 'instance', label: 'Instance', query: 'label_values(up{job=~"$job"}, instance)' });

/** Panels flow into rows of 24 columns: each takes the next place its width fits in. */
function layOut(drafts: PanelDraft[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return drafts.map((draft, index) => {
    const { w, h } = draft.gridPos;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...draft, id: index + 1, gridPos: { h, w, x, y } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
}

export interface DashboardOptions {
  uid: string;
  /** Without the "Watchkeeper · " prefix. */
  title: string;
  description: string;
  panels: PanelDraft[];
  variables?: Record<string, unknown>[];
}

export function dashboard({ uid, title, description, panels, variables = [jobVariable, instanceVariable] }: DashboardOptions) {
  return {
    uid,
    title: `Watchkeeper · ${title}`,
    description,
    tags: [TAG],
    id: null,
    version: 1,
    schemaVersion: SCHEMA_VERSION,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    liveNow: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    weekStart: '',
    annotations: { list: [] },
    // Every dashboard tagged watchkeeper, carrying the time range and the variables across.
    links: [
      {
        title: 'Watchkeeper',
        type: 'dashboards',
        tags: [TAG],
        asDropdown: false,
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        icon: 'external link',
        tooltip: '',
        url: '',
      },
    ],
    templating: { list: [datasourceVariable, ...variables] },
    panels: layOut(panels),
  };
}

export type Dashboard = ReturnType<typeof dashboard>;

/**
 * deploy/grafana: the dashboards are what scripts/grafana-dashboards.ts generates, are well-formed
 * for Grafana (schemaVersion 39, unique ids and uids, every query through the `datasource`
 * variable), and query only metrics Watchkeeper really exports (read from its own GET /metrics) or
 * the recording rules of deploy/prometheus, in PromQL the real promtool parses (skipped without
 * /usr/bin/promtool, except in CI); the provisioning files parse and agree with the README's mounts.
 * Grafana itself is not installable here (no Docker, no Debian package), so the JSON is checked
 * structurally, not loaded into a Grafana.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { OWN_FAMILIES_REGEX } from '../scripts/grafana/custom-metrics.ts';
import { DASHBOARDS_DIR, renderDashboards } from '../scripts/grafana-dashboards.ts';
import { buildTestApp, isCI, type TestApp } from './helpers.ts';
import { exportedFamilies, metricNamesInQuery, recordedNames } from './metric-names.ts';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (isCI && !hasPromtool) throw new Error(`${PROMTOOL} is missing: CI installs the prometheus package (.ci/run)`);
const GRAFANA = join(import.meta.dirname, '..', 'deploy', 'grafana');
const RULES_DIR = join(import.meta.dirname, '..', 'deploy', 'prometheus', 'rules');
const RECORDED = readdirSync(RULES_DIR).flatMap((file) => recordedNames(readFileSync(join(RULES_DIR, file), 'utf8')));
/** Prometheus adds `up` to every target it scrapes; it is not in any exposition. */
const PROMETHEUS_SERIES = ['up'];
const CUSTOM_METRICS_UID = 'watchkeeper-custom-metrics';
/** The explorer's generic queries select `$metric`, whatever a team pushes: they name no metric on purpose. */
const isGenericQuery = (uid: string, expr: string) => uid === CUSTOM_METRICS_UID && expr.includes('__name__=~"$metric"');

interface Target {
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig: { defaults: { unit?: string } };
  targets: Target[];
  links?: { url: string }[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  regex?: string;
  datasource?: { uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  links: { type: string; tags: string[]; includeVars: boolean; keepTime: boolean }[];
  templating: { list: Variable[] };
  panels: Panel[];
}

const files = readdirSync(DASHBOARDS_DIR).filter((file) => file.endsWith('.json'));
const dashboards = files.map((file) => JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard);
const variableQuery = (variable: Variable) => (typeof variable.query === 'string' ? variable.query : variable.query.query);

/** The PromQL inside a Grafana variable query: the selector of `label_values(selector, label)`, the expression of `query_result(…)`, nothing for `label_values(label)`. */
function promqlOfVariableQuery(query: string): string {
  const labelValues = /^label_values\((.*),\s*\w+\)$/.exec(query);
  if (labelValues) return labelValues[1]!;
  const result = /^query_result\((.*)\)$/.exec(query);
  return result ? result[1]! : '';
}

/** Every query of the dashboards, where it is, and the metric names in it that none of `allowed` is. */
function unknownNames(queries: { where: string; expr: string }[], allowed: string[]) {
  return queries.flatMap(({ where, expr }) =>
    metricNamesInQuery(expr)
      .filter((name) => !allowed.includes(name))
      .map((name) => `${where}: ${name}`),
  );
}

const panelQueries = dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => ({ uid: d.uid, where: `${d.uid} / ${p.title}`, expr: t.expr }))));
const variableQueries = dashboards.flatMap((d) =>
  d.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `${d.uid} / $${v.name}`, expr: promqlOfVariableQuery(variableQuery(v)) })),
);

describe('deploy/grafana dashboards', () => {
  let t: TestApp;
  let allowed: string[];
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    await t.app.inject({ url: '/health/liveness' }); // so the HTTP histograms have a series
    allowed = [...exportedFamilies((await t.app.inject({ url: '/metrics' })).body), ...RECORDED, ...PROMETHEUS_SERIES];
  });
  afterAll(() => t?.close());

  it('are exactly what scripts/grafana-dashboards.ts generates (run it with --write after editing scripts/grafana/)', async () => {
    const rendered = await renderDashboards();
    expect(files.sort()).toEqual(rendered.map(({ file }) => file.slice(DASHBOARDS_DIR.length + 1)).sort());
    for (const { file, json } of rendered) expect(readFileSync(file, 'utf8'), file).toBe(json);
  });

  it('are six dashboards with schemaVersion 39, a unique stable uid, a "Watchkeeper · " title and the watchkeeper tag', () => {
    expect(dashboards).toHaveLength(6);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const d of dashboards) {
      expect(d.uid).toMatch(/^watchkeeper-[a-z-]+$/);
      expect(d.uid.length).toBeLessThanOrEqual(40);
      expect(d.schemaVersion).toBe(39);
      expect(d.title).toMatch(/^Watchkeeper · \S/);
      expect(d.tags).toEqual(['watchkeeper']);
      expect(d.description.length).toBeGreaterThan(20);
    }
  });

  it('link to one another by tag, keeping the time range and the variables', () => {
    for (const d of dashboards)
      expect(d.links).toContainEqual(expect.objectContaining({ type: 'dashboards', tags: ['watchkeeper'], includeVars: true, keepTime: true }));
  });

  it('open other dashboards from panel links only by uids that exist', () => {
    const uids = dashboards.map((d) => d.uid);
    const linked = dashboards.flatMap((d) => d.panels.flatMap((p) => (p.links ?? []).map((link) => /^\/d\/([\w-]+)/.exec(link.url)?.[1])));
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.filter((uid) => !uid || !uids.includes(uid))).toEqual([]);
  });

  it('query through a `datasource` variable of type datasource (prometheus), with job and instance variables from `up`', () => {
    for (const d of dashboards) {
      const [first, ...variables] = d.templating.list;
      expect(first, d.uid).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
      for (const variable of variables) expect(variable.datasource?.uid, `${d.uid} $${variable.name}`).toBe('${datasource}');
      const job = variables.find((v) => v.name === 'job');
      expect(job, d.uid).toBeDefined();
      if (d.uid === CUSTOM_METRICS_UID) continue; // pushed jobs have no `up`: see the next test
      expect(variableQuery(job!)).toBe('label_values(up, job)');
      expect(variableQuery(variables.find((v) => v.name === 'instance')!)).toBe('label_values(up{job=~"$job"}, instance)');
    }
  });

  it('give every panel a unique id, a grid position inside 24 columns, a description, and the datasource variable for it and each query', () => {
    for (const d of dashboards) {
      expect(new Set(d.panels.map((p) => p.id)).size, d.uid).toBe(d.panels.length);
      for (const p of d.panels) {
        const where = `${d.uid} / ${p.title}`;
        expect(p.gridPos, where).toBeDefined();
        expect(p.gridPos!.x + p.gridPos!.w, where).toBeLessThanOrEqual(24);
        expect(p.description?.length, where).toBeGreaterThan(10);
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets.length, where).toBeGreaterThan(0);
        for (const target of p.targets) expect(target.datasource.uid, where).toBe('${datasource}');
      }
    }
  });

  it('give every time series a unit, except the explorer of metrics whose unit is unknown', () => {
    const withoutUnit = dashboards.flatMap((d) =>
      d.panels
        .filter((p) => p.type === 'timeseries' && !p.fieldConfig.defaults.unit && !p.targets.every((t) => isGenericQuery(d.uid, t.expr)))
        .map((p) => `${d.uid} / ${p.title}`),
    );
    expect(withoutUnit).toEqual([]);
  });

  it('names in every panel query only metrics Watchkeeper exports, or the recording rules', () => {
    expect(panelQueries.length).toBeGreaterThan(50);
    expect(unknownNames(panelQueries, allowed)).toEqual([]);
  });

  it('names in every template variable query only metrics Watchkeeper exports', () => {
    expect(unknownNames(variableQueries, allowed)).toEqual([]);
  });

  it('names at least one metric in every panel query but the custom-metrics explorer’s generic `$metric` ones', () => {
    const naming = panelQueries.filter(({ uid, expr }) => !isGenericQuery(uid, expr) && metricNamesInQuery(expr).length === 0);
    expect(naming).toEqual([]);
    expect(panelQueries.filter(({ uid, expr }) => isGenericQuery(uid, expr)).length).toBeGreaterThan(0);
  });

  /** A query as Prometheus would receive it, Grafana's variables replaced by values of the kind Grafana puts there. */
  const interpolated = (expr: string) =>
    expr
      .replaceAll('$__rate_interval', '1m')
      .replaceAll('$__range', '6h')
      .replace(/\$(?:job|instance|component|metric)\b/g, '.+');

  it.skipIf(!hasPromtool)(`are every one valid PromQL, by promtool check rules${hasPromtool ? '' : ' (skipped: no /usr/bin/promtool)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchkeeper-grafana-'));
    try {
      const rules = panelQueries.map(({ expr }, index) => ({ record: `dashboard:query_${index}`, expr: interpolated(expr) }));
      writeFileSync(join(dir, 'queries.yml'), stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      const { stdout } = await promisify(execFile)(PROMTOOL, ['check', 'rules', join(dir, 'queries.yml')]);
      expect(stdout).toContain(`${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a query naming a metric Watchkeeper does not export (the check can fail)', () => {
    const madeUp = [
      { where: 'made up', expr: 'sum by (route) (rate(watchkeeper_no_such_requests_total{job=~"$job"}[$__rate_interval])) / on (job) group_left up' },
    ];
    expect(unknownNames(madeUp, allowed)).toEqual(['made up: watchkeeper_no_such_requests_total']);
    expect(unknownNames([{ where: 'made up', expr: 'rate(go_goroutines[5m])' }], allowed)).toEqual(['made up: go_goroutines']);
  });

  it('offer in the custom-metrics explorer every metric of the chosen jobs but Watchkeeper’s own families and recordings, and say it lists pushed series once push exists', () => {
    const custom = dashboards.find((d) => d.uid === CUSTOM_METRICS_UID)!;
    expect(custom.description).toMatch(/pushed series once push exists/);
    const metric = custom.templating.list.find((v) => v.name === 'metric')!;
    expect(variableQuery(metric)).toBe('label_values({job=~"$job"}, __name__)');
    expect(metric.regex).toBe(OWN_FAMILIES_REGEX);
    // Grafana applies the variable's regex as a JavaScript regular expression written /…/.
    const keeps = new RegExp(OWN_FAMILIES_REGEX.slice(1, -1));
    expect(allowed.filter((name) => keeps.test(name))).toEqual([]);
    expect(['orders_processed_total', 'batch_last_success_timestamp_seconds'].filter((name) => keeps.test(name))).toHaveLength(2);
    expect(custom.panels.some((p) => p.targets.some((t) => t.expr === '{__name__=~"$metric", job=~"$job"}'))).toBe(true);
  });
});

describe('deploy/grafana provisioning', () => {
  const readme = readFileSync(join(GRAFANA, 'README.md'), 'utf8');
  /** The README's `-v source:target` mounts, target by source. */
  const mounts = new Map([...readme.matchAll(/-v "\$PWD\/(\S+?):(\S+?)(?::ro)?"/g)].map(([, source, target]) => [source!, target!]));

  it('adds a Prometheus data source with uid watchkeeper-prometheus at http://prometheus:9090', () => {
    const provisioning = parse(readFileSync(join(GRAFANA, 'provisioning', 'datasources', 'watchkeeper.yml'), 'utf8'));
    expect(provisioning.apiVersion).toBe(1);
    expect(provisioning.datasources).toEqual([expect.objectContaining({ type: 'prometheus', uid: 'watchkeeper-prometheus', url: 'http://prometheus:9090' })]);
  });

  it('loads the dashboards from the path the README mounts deploy/grafana/dashboards at, into the folder Watchkeeper', () => {
    const provisioning = parse(readFileSync(join(GRAFANA, 'provisioning', 'dashboards', 'watchkeeper.yml'), 'utf8'));
    expect(provisioning.apiVersion).toBe(1);
    const [provider] = provisioning.providers;
    expect(provider).toMatchObject({ type: 'file', folder: 'Watchkeeper' });
    expect(provider.options.path).toBe('/var/lib/grafana/dashboards/watchkeeper');
    expect(mounts.get('deploy/grafana/dashboards')).toBe(provider.options.path);
  });

  it('are mounted by the README where Grafana reads provisioning', () => {
    expect(mounts.get('deploy/grafana/provisioning/datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(mounts.get('deploy/grafana/provisioning/dashboards')).toBe('/etc/grafana/provisioning/dashboards');
  });
});

/**
 * Generates deploy/grafana/dashboards/*.json from the compact definitions in scripts/grafana/, so
 * six dashboards share one layout, one datasource variable and one way of scoping queries:
 * `npx tsx scripts/grafana-dashboards.ts --write` writes them, without `--write` it lists those
 * that are stale and fails, and test/grafana-dashboards.test.ts fails while any is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { customMetricsDashboard } from './grafana/custom-metrics.ts';
import { dataStoresDashboard } from './grafana/data-stores.ts';
import { healthDashboard } from './grafana/health.ts';
import { httpDashboard } from './grafana/http.ts';
import { overviewDashboard } from './grafana/overview.ts';
import type { Dashboard } from './grafana/panels.ts';
import { resourcesDashboard } from './grafana/resources.ts';

export const DASHBOARDS_DIR = join(import.meta.dirname, '..', 'deploy', 'grafana', 'dashboards');

export const dashboards: Dashboard[] = [overviewDashboard, httpDashboard, healthDashboard, resourcesDashboard, dataStoresDashboard, customMetricsDashboard];

/** Each dashboard's file name (its uid) and its JSON as committed: formatted by the repository's prettier settings, so `prettier --check` agrees. */
export async function renderDashboards(): Promise<{ file: string; json: string }[]> {
  return Promise.all(
    dashboards.map(async (dashboard) => {
      const file = join(DASHBOARDS_DIR, `${dashboard.uid}.json`);
      const options = (await resolveConfig(file)) ?? {};
      return { file, json: await format(JSON.stringify(dashboard), { ...options, filepath: file }) };
    }),
  );
}

const readOrEmpty = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rendered = await renderDashboards();
  if (process.argv.includes('--write')) {
    for (const { file, json } of rendered) writeFileSync(file, json);
  } else {
    const stale = rendered.filter(({ file, json }) => readOrEmpty(file) !== json).map(({ file }) => file);
    if (stale.length) {
      process.stderr.write(`Stale (run with --write):\n${stale.join('\n')}\n`);
      process.exitCode = 1;
    }
  }
}

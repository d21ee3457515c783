/**
 * The README is part of the product: these tests fail when it stops describing the code — a
 * setting added without its row, a stale configuration table, a health route left undocumented.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../server/infra/config/index.ts';
import { configTable, readmeTable } from '../scripts/config-table.ts';
import { buildTestApp, type TestApp } from './helpers.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const lines = readme.split('\n').map((line) => line.trim());

describe('README.md', () => {
  it('shows the quick start as `npm ci && npm start` and the tests as `npm test`', () => {
    expect(lines).toContain('npm ci && npm start');
    expect(lines).toContain('npm test');
  });

  it.each(settings.map((setting) => setting.env))('documents the setting %s', (env) => {
    expect(readme).toContain(`\`${env}\``);
  });

  it('documents WATCHKEEPER_CONFIG, the config file path', () => {
    expect(readme).toContain('`WATCHKEEPER_CONFIG`');
  });

  it('carries the configuration table as scripts/config-table.ts generates it', () => {
    const current = readmeTable(readme);
    expect(current, 'README.md lost its config-table markers').toBeDefined();
    expect(current, 'the configuration table is stale: run `npx tsx scripts/config-table.ts --write`').toBe(configTable());
  });

  describe('health endpoints', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
    });
    afterAll(() => t.close());

    it('documents every /health route the app registers', () => {
      const paths = Object.entries(t.app.swagger().paths ?? {})
        .filter(([path]) => path.startsWith('/health'))
        .flatMap(([path, operations]) => Object.keys(operations ?? {}).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
      expect(paths.length).toBeGreaterThan(0);
      for (const route of paths) expect(readme, `README.md does not mention ${route}`).toContain(`\`${route}\``);
    });
  });
});

/**
 * deploy/prometheus: the scrape configuration and rules pass the real promtool (its checks and the
 * rules' unit tests in deploy/prometheus/tests), and every metric
 * the rules query is one Watchkeeper really exports (read from its own GET /metrics), so a renamed
 * metric cannot leave a rule that never fires. Skipped without /usr/bin/promtool, except in CI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, isCI, type TestApp } from './helpers.ts';
import { exportedFamilies, metricNamesIn, recordedNames } from './metric-names.ts';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (isCI && !hasPromtool) throw new Error(`${PROMTOOL} is missing: CI installs the prometheus package (.ci/run)`);
const note = hasPromtool ? '' : ' (skipped: no /usr/bin/promtool; apt-get install -y --no-install-recommends prometheus)';

const DEPLOY = join(import.meta.dirname, '..', 'deploy', 'prometheus');
const RULES = readdirSync(join(DEPLOY, 'rules')).map((file) => join(DEPLOY, 'rules', file));
const RULE_TESTS = readdirSync(join(DEPLOY, 'tests')).map((file) => join(DEPLOY, 'tests', file));
const run = promisify(execFile);

describe.skipIf(!hasPromtool)(`deploy/prometheus${note}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('passes promtool check config, rule files included', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'config', join(DEPLOY, 'prometheus.yml')]);
    expect(stdout).toMatch(/SUCCESS/);
  });

  it('passes promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', ...RULES]);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('passes its own unit tests (promtool test rules)', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', ...RULE_TESTS]);
    expect(stdout).toMatch(/SUCCESS/);
    expect(stdout).not.toMatch(/FAILED/);
  });

  it('fails a unit test whose expected alert does not come (the unit tests can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-rule-tests-'));
    try {
      // The same test file, beside the rules, expecting the target-down alert a minute early.
      const original = readFileSync(RULE_TESTS[0]!, 'utf8').replaceAll('../rules/', join(DEPLOY, 'rules') + '/');
      const early = original.replace(/- eval_time: 4m\n(\s+)alertname: WatchkeeperDown/, '- eval_time: 3m\n$1alertname: WatchkeeperDown');
      expect(early).not.toBe(original);
      writeFileSync(join(dir, 'early.test.yml'), early);
      writeFileSync(join(dir, 'same.test.yml'), original);
      await expect(run(PROMTOOL, ['test', 'rules', join(dir, 'same.test.yml')])).resolves.toMatchObject({ stdout: expect.stringMatching(/SUCCESS/) });
      const failed = await run(PROMTOOL, ['test', 'rules', join(dir, 'early.test.yml')]).then(
        () => undefined,
        (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
      );
      expect(failed).toMatch(/FAILED[\s\S]*alertname: WatchkeeperDown, time: 3m/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('queries only metrics Watchkeeper exports, or the rules’ own recordings', async () => {
    await t.app.inject({ url: '/health/liveness' }); // so the HTTP histograms have a series
    const exposition = (await t.app.inject({ url: '/metrics' })).body;
    const families = exportedFamilies(exposition);
    const text = RULES.map((file) => readFileSync(file, 'utf8')).join('\n');
    const recorded = recordedNames(text);
    const used = metricNamesIn(text);
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !families.includes(name) && !recorded.includes(name))).toEqual([]);
  });

  it('finds a metric name that is not exported (the check can fail)', () => {
    expect(metricNamesIn('  expr: rate(watchkeeper_no_such_metric_total[5m]) > 0\n')).toEqual(['watchkeeper_no_such_metric_total']);
  });
});

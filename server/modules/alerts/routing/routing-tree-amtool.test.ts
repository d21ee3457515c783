/**
 * matchRoutes against Alertmanager's own answer: `amtool config routes test` on the same tree,
 * written as Alertmanager YAML (JSON is YAML) with its snake_case names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRoutingTree, matchRoutes, type RouteConfig } from './routing-tree.ts';

const AMTOOL = '/usr/bin/amtool';
const present = existsSync(AMTOOL);
if (!present && process.env.CI === 'true')
  throw new Error(`${AMTOOL} is missing: CI must run the amtool route comparison (apt-get install -y prometheus-alertmanager)`);

const SNAKE: Record<string, string> = { groupBy: 'group_by', groupWait: 'group_wait', groupInterval: 'group_interval', repeatInterval: 'repeat_interval' };

function toAlertmanager(route: RouteConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(route)) out[SNAKE[k] ?? k] = k === 'routes' ? (v as RouteConfig[]).map(toAlertmanager) : v;
  return out;
}

const TREES: { name: string; config: RouteConfig; labelSets: Record<string, string>[] }[] = [
  {
    name: 'siblings, continue and nesting',
    config: {
      receiver: 'default',
      groupBy: ['alertname'],
      routes: [
        { receiver: 'pager', matchers: ['severity="page"'], routes: [{ receiver: 'db-pager', matchers: ['service=~"db|pg"'] }] },
        { receiver: 'audit', matchers: ['team="ops"'], continue: true },
        { receiver: 'ops', matchers: ['team="ops"'] },
        { receiver: 'ops-late', matchers: ['team="ops"'] },
      ],
    },
    labelSets: [
      { alertname: 'X' },
      { severity: 'page', service: 'pg' },
      { severity: 'page', service: 'web' },
      { team: 'ops' },
      { severity: 'page', team: 'ops' },
    ],
  },
  {
    name: 'negative and empty matchers, continue at depth',
    config: {
      receiver: 'root',
      routes: [
        {
          receiver: 'not-staging',
          matchers: ['env!="staging"'],
          continue: true,
          routes: [
            { receiver: 'no-team', matchers: ['team=""'], continue: true },
            { receiver: 'web', matchers: ['service=~"web.*"'] },
          ],
        },
        { receiver: 'not-critical', matchers: ['severity!~"critical|page"'] },
        { receiver: 'never', matchers: ['x="y"'] },
      ],
    },
    labelSets: [
      {},
      { env: 'staging' },
      { env: 'prod', team: 'a', service: 'web-1' },
      { service: 'web' },
      { env: 'staging', severity: 'page' },
      { team: 'b', severity: 'critical' },
    ],
  },
];

describe.skipIf(!present)('matchRoutes against amtool config routes test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-amtool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const { name, config, labelSets } of TREES) {
    it(`reaches the receivers amtool reports: ${name}`, () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
      const receivers = new Set<string>();
      const collect = (r: RouteConfig) => {
        if (r.receiver) receivers.add(r.receiver);
        r.routes?.forEach(collect);
      };
      collect(config);
      writeFileSync(file, JSON.stringify({ route: toAlertmanager(config), receivers: [...receivers].map((n) => ({ name: n })) }));
      const tree = buildRoutingTree(config);
      for (const labels of labelSets) {
        const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
        // amtool refuses an empty label list; an unrelated label routes as no labels would here.
        if (args.length === 0) args.push('zz_unused=1');
        const expected = execFileSync(AMTOOL, ['config', 'routes', 'test', `--config.file=${file}`, ...args], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
        expect(
          matchRoutes(tree, labels)
            .map((r) => r.receiver)
            .join(','),
          JSON.stringify(labels),
        ).toBe(expected);
      }
    });
  }
});

if (!present) {
  describe('matchRoutes against amtool', () => {
    it.skip(`skipped: ${AMTOOL} is not installed; CI fails instead`, () => {});
  });
}

import { describe, expect, it } from 'vitest';
import { buildRoutingTree, groupKeyFor, matchRoutes, RouteConfigError } from './routing-tree.ts';

const tree = buildRoutingTree({
  receiver: 'default',
  groupBy: ['alertname'],
  routes: [
    { receiver: 'pager', matchers: ['severity="page"'], groupWait: '10s', routes: [{ receiver: 'db-pager', matchers: ['service=~"db|pg"'] }] },
    { receiver: 'audit', matchers: ['team="ops"'], continue: true, groupBy: ['...'] },
    { receiver: 'ops', matchers: ['team="ops"'], repeatInterval: '1d' },
    { receiver: 'ops-late', matchers: ['team="ops"'] },
  ],
});

const receivers = (labels: Record<string, string>) => matchRoutes(tree, labels).map((r) => r.receiver);

describe('matchRoutes', () => {
  it('falls back to the root when no child matches', () => {
    expect(receivers({ alertname: 'X' })).toEqual(['default']);
  });

  it('descends depth first to the deepest matching route', () => {
    expect(receivers({ severity: 'page', service: 'pg' })).toEqual(['db-pager']);
  });

  it('uses the parent when none of its children matches', () => {
    expect(receivers({ severity: 'page', service: 'web' })).toEqual(['pager']);
  });

  it('stops at the first matching sibling unless it continues', () => {
    expect(receivers({ team: 'ops' })).toEqual(['audit', 'ops']);
    expect(receivers({ severity: 'page', team: 'ops' })).toEqual(['pager']);
  });

  it('inherits settings from the parent and applies the root defaults', () => {
    const [pager] = matchRoutes(tree, { severity: 'page' });
    expect(pager).toMatchObject({ groupWait: 10_000, groupInterval: 300_000, repeatInterval: 14_400_000, groupBy: ['alertname'] });
    const [dbPager] = matchRoutes(tree, { severity: 'page', service: 'db' });
    expect(dbPager).toMatchObject({ groupWait: 10_000, groupBy: ['alertname'] });
    expect(tree).toMatchObject({ groupWait: 30_000, groupInterval: 300_000, repeatInterval: 14_400_000 });
  });

  it('gives sibling routes with the same matchers distinct ids but the same key', () => {
    const [audit, ops] = matchRoutes(tree, { team: 'ops' });
    expect(audit?.key).toBe(ops?.key);
    expect(audit?.id).not.toBe(ops?.id);
    expect(ops?.id).toBe('{}/{team="ops"}/2');
  });
});

describe('groupKeyFor', () => {
  it("produces Alertmanager's group key and the group labels", () => {
    const [route] = matchRoutes(tree, { alertname: 'X', severity: 'page', instance: 'a' });
    expect(groupKeyFor(route!, { alertname: 'X', severity: 'page', instance: 'a' })).toEqual({
      groupKey: '{}/{severity="page"}:{alertname="X"}',
      groupLabels: { alertname: 'X' },
    });
  });

  it("groups by every label with '...'", () => {
    const [audit] = matchRoutes(tree, { team: 'ops', b: '2', a: '1' });
    expect(groupKeyFor(audit!, { team: 'ops', b: '2', a: '1' }).groupKey).toBe('{}/{team="ops"}:{a="1", b="2", team="ops"}');
  });

  it('leaves out group-by labels the alert does not have', () => {
    expect(groupKeyFor(tree, { x: '1' })).toEqual({ groupKey: '{}:{}', groupLabels: {} });
  });

  it('prints route matchers sorted, as Alertmanager keys do', () => {
    const t = buildRoutingTree({ receiver: 'r', routes: [{ matchers: ['b="2"', 'a=~"1"'] }] });
    expect(t.routes[0]?.key).toBe('{}/{a=~"1",b="2"}');
  });
});

describe('buildRoutingTree validation', () => {
  const issuesOf = (input: unknown) => {
    try {
      buildRoutingTree(input);
    } catch (err) {
      expect(err).toBeInstanceOf(RouteConfigError);
      return (err as RouteConfigError).issues.map((i) => i.path);
    }
    throw new Error('expected a RouteConfigError');
  };

  it('names the path of an invalid matcher', () => {
    expect(issuesOf({ receiver: 'r', routes: [{}, { matchers: ['a=~"("'] }] })).toEqual(['routes[1].matchers[0]']);
  });

  it('names the path of an invalid duration, deep in the tree', () => {
    expect(issuesOf({ receiver: 'r', routes: [{ routes: [{ groupWait: '5 minutes' }] }] })).toEqual(['routes[0].routes[0].groupWait']);
  });

  it('requires a receiver on the root and forbids matchers there', () => {
    expect(issuesOf({ matchers: ['a="b"'] })).toEqual(['receiver', 'matchers']);
  });

  it("rejects '...' combined with other labels, and zero intervals", () => {
    expect(issuesOf({ receiver: 'r', groupBy: ['...', 'a'], repeatInterval: '0' })).toEqual(['groupBy', 'repeatInterval']);
  });

  it('rejects unknown fields', () => {
    expect(issuesOf({ receiver: 'r', group_by: ['a'] })).toEqual(['']);
  });
});

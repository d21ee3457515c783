import { describe, expect, it } from 'vitest';
import { defaultAlertRules } from './default-rules.ts';

describe('the built-in alert rules', () => {
  it('alerts on the database failing for a minute, critical, and on the disk warning or failing', () => {
    const rules = defaultAlertRules({ redisConfigured: false });
    expect(rules.map((r) => r.name)).toEqual(['WatchkeeperDatabaseDown', 'WatchkeeperDiskNearlyFull']);
    expect(rules[0]).toMatchObject({
      severity: 'critical',
      for: 60_000,
      labels: { severity: 'critical' },
      source: { type: 'health', component: 'database', statuses: ['fail'] },
    });
    expect(rules[1]).toMatchObject({ severity: 'warning', source: { type: 'health', component: 'disk', statuses: ['warn', 'fail'] } });
  });

  it('alerts on the cache only when Redis is configured, as a warning', () => {
    const cache = defaultAlertRules({ redisConfigured: true }).find((r) => r.name === 'WatchkeeperCacheUnavailable');
    expect(cache).toMatchObject({ severity: 'warning', source: { type: 'health', component: 'cache' } });
  });
});

/**
 * The metrics scenario cannot rot: it runs in smoke mode (200 health components) against the
 * compiled program, and its report has every row and figure the table needs. Speed is never
 * asserted here: the machine is shared and the numbers mean nothing at this size.
 */
import { describe, expect, inject, it } from 'vitest';
import { runBench } from '../bench/lib/suite.ts';

describe('npm run bench -- metrics --smoke', () => {
  it('scrapes /metrics in both formats beside a bare server with the same bytes, and reports latency, the ratio and the event loop’s longest block', async () => {
    const { report, markdown } = await runBench({ names: ['metrics'], smoke: true, databaseUrl: inject('databaseUrl') });
    const [metrics] = report.scenarios;
    expect(metrics!.name).toBe('metrics');
    expect(metrics!.rows.map((row) => row.label)).toEqual([
      'bare node:http, pre-rendered text, sequential',
      'watchkeeper GET /metrics, text, sequential',
      'bare node:http, pre-rendered text, 2 concurrent',
      'watchkeeper GET /metrics, text, 2 concurrent',
      'bare node:http, pre-rendered OpenMetrics, sequential',
      'watchkeeper GET /metrics, OpenMetrics, sequential',
      'bare node:http, pre-rendered OpenMetrics, 2 concurrent',
      'watchkeeper GET /metrics, OpenMetrics, 2 concurrent',
    ]);
    for (const row of metrics!.rows) {
      expect(row.rps).toBeGreaterThan(0);
      expect(row.errors).toEqual({ non2xx: 0, timeouts: 0, errors: 0 }); // loopback: no key needed, no 401
    }
    for (const row of metrics!.rows.filter((r) => r.label.startsWith('watchkeeper'))) expect(row.ratio).toBeGreaterThan(0);
    for (const row of metrics!.rows.filter((r) => r.label.startsWith('watchkeeper') && r.label.endsWith(', sequential'))) {
      expect(typeof row.pass).toBe('boolean');
    }
    const figure = (label: string) => metrics!.metrics!.find((metric) => metric.label.startsWith(label));
    expect(figure('series in the exposition')!.value).toBeGreaterThan(400); // 200 components × 2, and the rest
    for (const metric of metrics!.metrics!) {
      expect(Number.isFinite(metric.value)).toBe(true);
      expect(typeof metric.pass).toBe(metric.target ? 'boolean' : 'undefined');
    }
    expect(markdown).toContain('## metrics');
  }, 150_000);
});

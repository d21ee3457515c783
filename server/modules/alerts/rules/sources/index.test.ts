import { describe, expect, it } from 'vitest';
import { createAlertSources } from './index.ts';

describe('the alert source registry', () => {
  it('holds one source per rule source type, by type', () => {
    const sources = createAlertSources({
      monitor: { list: () => [], latencyBaseline: () => undefined },
      timeSeries: { query: async () => ({ series: [], truncated: false }) },
      securityEvents: { countSeen: async () => [] },
    });
    expect([...sources.keys()]).toEqual(['health', 'metric', 'security-events']);
    for (const [type, source] of sources) expect(source.type).toBe(type);
  });
});

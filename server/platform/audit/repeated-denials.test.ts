import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AuditEntry } from './audit-log.ts';
import { createRepeatedDenials } from './repeated-denials.ts';

const denied = (fields: Partial<AuditEntry> = {}): AuditEntry => ({
  action: 'api-key.use-denied',
  outcome: 'denied',
  actor: { type: 'anonymous' },
  ip: '192.0.2.1',
  details: { reason: 'unknown' },
  ...fields,
});

function setUp({ windowMs = 60_000, maxPending }: { windowMs?: number; maxPending?: number } = {}) {
  let clock = 1_000_000;
  const written: AuditEntry[] = [];
  let failing = false;
  const repeats = createRepeatedDenials({
    windowMs,
    maxPending,
    logger: pino({ level: 'silent' }),
    now: () => clock,
    write: async (entry) => {
      if (failing) throw new Error('database unavailable');
      written.push(entry);
    },
  });
  return {
    repeats,
    written,
    advance: (ms: number) => (clock += ms),
    fail: (value: boolean) => (failing = value),
    total: () => written.reduce((sum, entry) => sum + (entry.details!.count as number), 0),
  };
}

describe('repeated denials', () => {
  it('writes the first of a window at once and the rest as one record counting them when the window ends', async () => {
    const { repeats, written, advance, total } = setUp();
    await repeats.record(denied());
    expect(written).toEqual([expect.objectContaining({ details: { reason: 'unknown', count: 1 } })]);
    for (let i = 0; i < 9; i++) await repeats.record(denied({ requestId: `r${i}`, userAgent: `agent ${i}` }));
    await repeats.flush();
    expect(written).toHaveLength(1); // the window is still open
    advance(60_000);
    await repeats.flush();
    expect(written).toHaveLength(2);
    expect(written[1]).toMatchObject({
      action: 'api-key.use-denied',
      ip: '192.0.2.1',
      requestId: undefined,
      details: { reason: 'unknown', count: 9, firstAt: expect.any(String), lastAt: expect.any(String) },
    });
    expect(total()).toBe(10);
    expect(repeats.pending).toBe(0);
  });

  it('starts a new window with a record written at once after the last one ended', async () => {
    const { repeats, written, advance, total } = setUp();
    await repeats.record(denied());
    await repeats.record(denied());
    advance(60_000);
    await repeats.record(denied());
    await repeats.flush({ all: true });
    expect(written.map((entry) => entry.details!.count)).toEqual([1, 1, 1]);
    expect(total()).toBe(3);
  });

  it('tells apart denials of another reason, actor, target or address, but not of another path when the path varies', async () => {
    const { repeats, written } = setUp();
    await repeats.record(denied());
    await repeats.record(denied({ details: { reason: 'revoked' } }));
    await repeats.record(denied({ actor: { type: 'api-key', id: 'k1' } }));
    await repeats.record(denied({ ip: '192.0.2.2' }));
    await repeats.record(denied({ target: { type: 'api-key', id: 'k1' } }));
    expect(written).toHaveLength(5);
    await repeats.record(denied({ action: 'ip-rule.deny', details: { reason: 'denied', path: '/a' } }), { vary: ['path'] });
    await repeats.record(denied({ action: 'ip-rule.deny', details: { reason: 'denied', path: '/b' } }), { vary: ['path'] });
    await repeats.flush({ all: true });
    expect(written.filter((entry) => entry.action === 'ip-rule.deny').map((entry) => entry.details)).toEqual([
      { reason: 'denied', path: '/a', count: 1 },
      expect.objectContaining({ reason: 'denied', path: '/b', count: 1 }),
    ]);
  });

  it('counts an IPv6 /64 as one client address', async () => {
    const { repeats, written } = setUp();
    await repeats.record(denied({ ip: '2001:db8:1:2::1' }));
    await repeats.record(denied({ ip: '2001:db8:1:2::99' }));
    expect(written).toHaveLength(1);
  });

  it('summarizes the oldest window early when too many are open, losing no count', async () => {
    const { repeats, written, total } = setUp({ maxPending: 2 });
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.3']) await repeats.record(denied({ ip }));
    await repeats.flush();
    expect(repeats.pending).toBe(2);
    expect(written.map((entry) => [entry.ip, entry.details!.count])).toEqual([
      ['192.0.2.1', 1],
      ['192.0.2.2', 1],
      ['192.0.2.1', 1],
      ['192.0.2.3', 1],
    ]);
    await repeats.flush({ all: true });
    expect(total()).toBe(4);
  });

  it('counts a first record that could not be written into the summary of its window', async () => {
    const { repeats, written, fail, total } = setUp();
    fail(true);
    await repeats.record(denied());
    fail(false);
    await repeats.record(denied());
    await repeats.flush({ all: true });
    expect(written).toEqual([expect.objectContaining({ details: expect.objectContaining({ count: 2 }) })]);
    expect(total()).toBe(2);
  });
});

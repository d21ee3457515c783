import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../contracts/status-pages.ts';
import { buildPublicStatus, componentNames, dayStrip, historyStart } from './public-status.ts';

const P1 = '00000000-0000-4000-8000-0000000000a1';
const P2 = '00000000-0000-4000-8000-0000000000a2';
const now = new Date('2026-11-12T15:30:00Z');

const incident = (over: Partial<Incident>): Incident => ({
  id: '00000000-0000-4000-8000-00000000000f',
  kind: 'incident',
  title: 'x',
  impact: 'minor',
  status: 'investigating',
  components: [],
  startsAt: null,
  endsAt: null,
  createdAt: now.toISOString(),
  closedAt: null,
  updates: [],
  ...over,
});

describe('the public status', () => {
  it('covers 90 UTC days ending today, each with its uptime or none', () => {
    const start = historyStart(now);
    expect(start.toISOString()).toBe('2026-08-15T00:00:00.000Z');
    const days = dayStrip(start, new Map([['2026-11-12', { uptimePercent: 99.5, samples: 200, failures: 1 }]]));
    expect(days).toHaveLength(90);
    expect(days.at(-1)).toEqual({ date: '2026-11-12', uptimePercent: 99.5, samples: 200, failures: 1 });
    expect(days[0]).toEqual({ date: '2026-08-15', uptimePercent: null, samples: 0, failures: 0 });
  });

  it('names a component by its project only when two projects share the name', () => {
    const names = componentNames(
      [`${P1}/api`, `${P2}/api`, `${P1}/shop`],
      new Map([
        [P1, 'Web'],
        [P2, 'Mobile'],
      ]),
    );
    expect([...names.values()]).toEqual(['Web / api', 'Mobile / api', 'shop']);
  });

  it('leaves out the components of an incident that the page does not show', () => {
    const status = buildPublicStatus({
      settings: { enabled: true, title: 'T', components: [`${P1}/shop`] },
      names: new Map([[`${P1}/shop`, 'shop']]),
      statusOf: () => 'pass',
      daily: new Map(),
      start: historyStart(now),
      incidents: [incident({ components: [`${P1}/shop`, `${P1}/secret-admin`] })],
      now,
    });
    expect(status.active[0]!.components).toEqual(['shop']);
    expect(JSON.stringify(status)).not.toContain('secret-admin');
  });

  it('says maintenance in progress, upcoming maintenance apart, and an outage above both', () => {
    const build = (incidents: Incident[], component: 'pass' | 'fail' = 'pass') =>
      buildPublicStatus({
        settings: { enabled: true, title: 'T', components: [`${P1}/shop`] },
        names: new Map(),
        statusOf: () => component,
        daily: new Map(),
        start: historyStart(now),
        incidents,
        now,
      });
    const running = incident({ kind: 'maintenance', status: 'scheduled', startsAt: '2026-11-12T15:00:00.000Z', endsAt: '2026-11-12T16:00:00.000Z' });
    const later = incident({ kind: 'maintenance', status: 'scheduled', startsAt: '2026-11-20T15:00:00.000Z', endsAt: '2026-11-20T16:00:00.000Z' });
    expect(build([running, later])).toMatchObject({
      status: 'maintenance',
      active: [{ startsAt: running.startsAt }],
      upcoming: [{ startsAt: later.startsAt }],
    });
    expect(build([later]).status).toBe('operational');
    expect(build([running], 'fail').status).toBe('outage');
  });
});

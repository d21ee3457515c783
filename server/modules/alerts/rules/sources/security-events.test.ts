/** The security-events source against the real security_events table, written by its repository. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityEventsQuerySchema } from '../../../../../contracts/alert-rules.ts';
import { SYSTEM_SCOPE } from '../../../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../../../test/helpers.ts';
import { createSecurityEventsRepository, type SecurityEventsRepository } from '../../../../platform/security/events/security-events-repository.ts';
import type { SecuritySeverity } from '../../../../platform/events/event-bus.ts';
import { createSecurityEventsSource } from './security-events.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('the security-events alert source', () => {
  let m: MigratedDatabase;
  let repository: SecurityEventsRepository;
  let otherOrganization: string;
  beforeAll(async () => {
    m = await createMigratedDatabase();
    repository = createSecurityEventsRepository({ db: m.db });
    ({ id: otherOrganization } = await m.db
      .insertInto('organizations')
      .values({ slug: 'alert-other', name: 'Other' })
      .returning('id')
      .executeTakeFirstOrThrow());
    const event = (kind: string, severity: SecuritySeverity, subject: string, seconds: number, organizationId = SYSTEM_SCOPE.organizationId) =>
      repository.record({ organizationId, kind, severity, subject, count: 5, windowMs: 60_000, at: at(seconds), details: {} });
    // In the last 15 minutes before at(900): three brute-force (one high), one critical spraying, one low denial.
    await event('brute-force', 'medium', '10.0.0.1', 100);
    await event('brute-force', 'medium', '10.0.0.2', 200);
    await event('brute-force', 'high', '10.0.0.3', 800);
    await event('password-spraying', 'critical', '10.0.0.9', 850);
    await event('permission-denials', 'low', 'user-1', 860);
    // Before the window, and in another organization: never counted.
    await event('brute-force', 'critical', '10.0.0.4', -60);
    await event('brute-force', 'critical', '10.0.0.5', 500, otherOrganization);
  });
  afterAll(() => m?.close());

  const evaluate = (query: unknown) =>
    createSecurityEventsSource({ repository }).evaluate(securityEventsQuerySchema.parse(query), {
      ...SYSTEM_SCOPE,
      now: at(900),
      signal: new AbortController().signal,
    });

  it('answers one sample per kind with at least `count` matching events in the window, valued at their number', async () => {
    expect(await evaluate({ kinds: ['brute-force'], window: '15m', count: 3 })).toEqual({
      kind: 'ok',
      samples: [{ labels: { kind: 'brute-force', event_severity: 'high' }, value: 3 }],
    });
    expect(await evaluate({ kinds: ['brute-force'], window: '15m', count: 4 })).toEqual({ kind: 'ok', samples: [] });
  });

  it('counts only events of at least the minimum severity', async () => {
    expect(await evaluate({ kinds: ['brute-force'], minSeverity: 'high', count: 1 })).toEqual({
      kind: 'ok',
      samples: [{ labels: { kind: 'brute-force', event_severity: 'high' }, value: 1 }],
    });
  });

  it('counts every kind when none is named, each on its own', async () => {
    const result = await evaluate({ minSeverity: 'medium' });
    expect(result.kind === 'ok' && result.samples.map((s) => [s.labels.kind, s.value])).toEqual([
      ['brute-force', 3],
      ['password-spraying', 1],
    ]);
  });

  it('counts only the window: a shorter one sees the recent events only', async () => {
    expect(await evaluate({ kinds: ['brute-force'], window: '5m' })).toEqual({
      kind: 'ok',
      samples: [{ labels: { kind: 'brute-force', event_severity: 'high' }, value: 1 }],
    });
  });

  it('reads only the rule’s organization', async () => {
    const result = await createSecurityEventsSource({ repository }).evaluate(securityEventsQuerySchema.parse({ kinds: ['brute-force'] }), {
      organizationId: otherOrganization,
      projectId: SYSTEM_SCOPE.projectId,
      now: at(900),
      signal: new AbortController().signal,
    });
    expect(result).toEqual({ kind: 'ok', samples: [{ labels: { kind: 'brute-force', event_severity: 'critical' }, value: 1 }] });
  });
});

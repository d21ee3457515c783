import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, formatMicros, hashRecord, storableDetails, storableText, type ChainedFields } from './hash-chain.ts';

const fields: ChainedFields = {
  occurredAt: '2024-05-01T12:00:00.123456Z',
  organizationId: null,
  actorType: 'user',
  actorId: 'u1',
  actorLabel: 'ada@example.com',
  action: 'auth.login',
  targetType: null,
  targetId: null,
  targetLabel: null,
  outcome: 'success',
  ip: '203.0.113.7',
  userAgent: 'curl/8',
  requestId: 'req-1',
  details: { method: 'password' },
};

describe('the audit hash chain', () => {
  it('serializes objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: 'x' }], c: true } })).toBe('{"a":{"c":true,"d":[2,{"y":"x","z":null}]},"b":1}');
  });

  it('hashes the same record to the same SHA-256 hex digest', () => {
    const hash = hashRecord(fields, GENESIS_HASH);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecord({ ...fields, details: { method: 'password' } }, GENESIS_HASH)).toBe(hash);
  });

  it('changes the hash when any field or the previous hash changes', () => {
    const base = hashRecord(fields, GENESIS_HASH);
    const variants: Partial<ChainedFields>[] = [
      { occurredAt: '2024-05-01T12:00:00.123457Z' },
      { organizationId: '00000000-0000-4000-8000-000000000001' },
      { actorType: 'api-key' },
      { actorId: 'u2' },
      { actorLabel: null },
      { action: 'auth.logout' },
      { targetType: 'user' },
      { targetId: 'x' },
      { targetLabel: 'x' },
      { outcome: 'failure' },
      { ip: '203.0.113.8' },
      { userAgent: 'curl/9' },
      { requestId: 'req-2' },
      { details: { method: 'passkey' } },
    ];
    for (const variant of variants) expect(hashRecord({ ...fields, ...variant }, GENESIS_HASH), JSON.stringify(variant)).not.toBe(base);
    expect(hashRecord(fields, 'f'.repeat(64))).not.toBe(base);
  });

  it('tells a missing value from an empty string', () => {
    expect(hashRecord({ ...fields, actorId: '' }, GENESIS_HASH)).not.toBe(hashRecord({ ...fields, actorId: null }, GENESIS_HASH));
  });

  it('formats microseconds as timestamptz text in UTC', () => {
    expect(formatMicros(1_714_564_800_123_456n)).toBe('2024-05-01T12:00:00.123456Z');
    expect(formatMicros(1_714_564_800_000_001n)).toBe('2024-05-01T12:00:00.000001Z');
  });

  it('makes text storable: no NUL, no lone surrogate, bounded length', () => {
    expect(storableText('a\0b')).toBe('a\ufffdb');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('😀')).toBe('😀');
    expect(storableText('abcdef', 3)).toBe('abc');
  });

  it('keeps in details only what survives JSON, as jsonb will return it', () => {
    const details = storableDetails({ when: new Date('2024-05-01T00:00:00Z'), gone: undefined, nan: Number.NaN, nested: { 'k\0': 'v\0' } });
    expect(details).toEqual({ when: '2024-05-01T00:00:00.000Z', nan: null, nested: { 'k\ufffd': 'v\ufffd' } });
    expect(storableDetails(undefined)).toEqual({});
  });
});

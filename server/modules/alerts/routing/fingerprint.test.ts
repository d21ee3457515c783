import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelsFingerprint } from './fingerprint.ts';

describe('labelsFingerprint', () => {
  it('is the FNV-1a 64 offset basis for an empty label set, as in Prometheus', () => {
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
  });

  it('is 16 lowercase hex digits', () => {
    expect(labelsFingerprint({ alertname: 'X', severity: 'page' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('separates names from values, so moving a character across changes it', () => {
    expect(labelsFingerprint({ ab: 'c' })).not.toBe(labelsFingerprint({ a: 'bc' }));
  });

  it('does not depend on the order labels are given in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 8 }), (labels) => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        expect(labelsFingerprint(reversed)).toBe(labelsFingerprint(labels));
      }),
    );
  });
});

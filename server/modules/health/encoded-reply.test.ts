import { describe, expect, it } from 'vitest';
import { acceptsGzip, etagOf, noneMatch } from './encoded-reply.ts';

describe('acceptsGzip', () => {
  it('accepts gzip when named or allowed by *, unless its q-value is zero', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=nonsense')).toBe(false);
  });
});

describe('ETags', () => {
  it('differ by input and by encoding, and match If-None-Match lists, weak or strong, and *', () => {
    const plain = etagOf([1, 'status'], 'identity');
    const gzipped = etagOf([1, 'status'], 'gzip');
    expect(plain).toMatch(/^"[\w-]+"$/);
    expect(gzipped).not.toBe(plain);
    expect(etagOf([2, 'status'], 'identity')).not.toBe(plain);
    expect(noneMatch(undefined, plain)).toBe(true);
    expect(noneMatch(`"other", ${plain}`, plain)).toBe(false);
    expect(noneMatch(`W/${plain}`, plain)).toBe(false);
    expect(noneMatch('*', plain)).toBe(false);
    expect(noneMatch(gzipped, plain)).toBe(true);
  });
});

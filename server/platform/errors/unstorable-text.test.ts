import { describe, expect, it } from 'vitest';
import { findUnstorableText } from './unstorable-text.ts';

describe('findUnstorableText', () => {
  it('names the first string holding a lone surrogate or NUL by its JSON pointer', () => {
    expect(findUnstorableText({ a: 'fine', b: [{ c: 'x\ud800' }] })).toBe('/body/b/0/c');
    expect(findUnstorableText({ 'a/b': 'low \udc00 alone' })).toBe('/body/a~1b');
    expect(findUnstorableText({ nul: 'a\u0000b' })).toBe('/body/nul');
    expect(findUnstorableText({ ['key\ud800']: 1 })).toBe('/body/key\ud800');
  });

  it('accepts well-formed text, surrogate pairs included', () => {
    expect(findUnstorableText({ emoji: '😀', list: ['ä', 1, null, true], nested: { deep: '𑵠ᡢ' } })).toBeUndefined();
    expect(findUnstorableText('plain text body')).toBeUndefined();
    expect(findUnstorableText(Buffer.from([0, 0xd8, 0]))).toBeUndefined();
  });

  it('walks a body nested 100,000 levels deep without copying its path at each level', () => {
    let deep: unknown = 'bottom \ud800';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(findUnstorableText(deep)).toBe(`/body${'/a'.repeat(100_000)}`);
  });
});

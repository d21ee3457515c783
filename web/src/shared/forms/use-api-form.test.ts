import { describe, expect, it } from 'vitest';
import { fieldOfPointer } from './use-api-form.ts';

describe('fieldOfPointer', () => {
  it('names the form field a body pointer points at', () => {
    expect(fieldOfPointer('/body/url')).toBe('url');
    expect(fieldOfPointer('/body/expect/status')).toBe('expect.status');
    expect(fieldOfPointer('/body/a~1b')).toBe('a/b');
  });

  it('has no field for the query, the path or the whole body', () => {
    expect(fieldOfPointer('/query/limit')).toBeUndefined();
    expect(fieldOfPointer('/params/name')).toBeUndefined();
    expect(fieldOfPointer('/body')).toBeUndefined();
  });
});

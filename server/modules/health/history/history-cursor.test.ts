import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeSampleCursor, encodeSampleCursor } from './history-cursor.ts';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('sample cursor', () => {
  it('round-trips the position of the last row served', () => {
    const cursor = { checkedAt: '2025-03-01T12:34:56.123456Z', id: '9007199254740993' };
    const text = encodeSampleCursor(cursor);
    expect(text).toMatch(/^[\w-]+$/);
    expect(decodeSampleCursor(text)).toEqual(cursor);
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/=='],
    ['base64url that is not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON of the wrong shape', encode({ checkedAt: '2025-03-01T12:34:56.123456Z', id: '1' })],
    ['a time without microseconds', encode(['2025-03-01T12:34:56Z', '1'])],
    ['a day the calendar does not have', encode(['2023-02-30T00:00:00.000000Z', '1'])],
    ['a year PostgreSQL does not have', encode(['0000-01-01T00:00:00.000000Z', '1'])],
    ['a non-numeric id', encode(['2025-03-01T12:34:56.123456Z', '1 OR 1=1'])],
    ['an id beyond bigint', encode(['2025-03-01T12:34:56.123456Z', '9223372036854775808'])],
    ['a numeric id', encode(['2025-03-01T12:34:56.123456Z', 1])],
  ])('rejects %s', (_name, text) => {
    expect(decodeSampleCursor(text)).toBeUndefined();
  });
});

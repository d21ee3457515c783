import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMatchers, fromApiMatcher, matchesAll, MatcherParseError, parseMatcher, parseMatchers, toApiMatcher, type Matcher } from './matchers.ts';

describe('parseMatchers', () => {
  it('reads the braced, quoted form', () => {
    expect(parseMatchers('{a="b",c=~"d.*"}')).toEqual([
      { name: 'a', type: '=', value: 'b' },
      { name: 'c', type: '=~', value: 'd.*' },
    ]);
  });

  it('reads unquoted values and surrounding whitespace as amtool does', () => {
    expect(parseMatchers('  a = b ,  c!=d e ')).toEqual([
      { name: 'a', type: '=', value: 'b' },
      { name: 'c', type: '!=', value: 'd e' },
    ]);
  });

  it('reads every operator', () => {
    expect(parseMatchers('a="1",b!="2",c=~"3",d!~"x|y"').map((m) => m.type)).toEqual(['=', '!=', '=~', '!~']);
  });

  it('decodes escaped quotes, backslashes and newlines in quoted values', () => {
    expect(parseMatcher(String.raw`a="say \"hi\"\\\n"`).value).toBe('say "hi"\\\n');
  });

  it('keeps commas and braces inside quoted values', () => {
    expect(parseMatchers('{a="x,}y", b="z"}').map((m) => m.value)).toEqual(['x,}y', 'z']);
  });

  it('accepts quoted UTF-8 label names', () => {
    expect(parseMatcher('"service.name 名前"="api"')).toEqual({ name: 'service.name 名前', type: '=', value: 'api' });
  });

  it('reads an empty text and empty braces as no matchers', () => {
    expect(parseMatchers('')).toEqual([]);
    expect(parseMatchers(' { } ')).toEqual([]);
  });

  it('allows a trailing comma', () => {
    expect(parseMatchers('{a="b",}')).toHaveLength(1);
  });

  it.each([
    ['{a="b"', 7, 'closing brace'],
    ['a="b', 3, 'closing quote'],
    ['a', 2, 'operator'],
    ['=b', 1, 'label name'],
    ['a="b" c="d"', 7, 'comma'],
    ['{a="b"} x', 9, 'end'],
    ['a=~"("', 4, 'regular expression'],
    [String.raw`a="\q"`, 5, 'escape'],
  ])('rejects %s at column %i, naming what was expected', (text, column, expected) => {
    let error: unknown;
    try {
      parseMatchers(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MatcherParseError);
    expect((error as MatcherParseError).column).toBe(column);
    expect((error as Error).message).toContain(`expected`);
    expect((error as Error).message).toContain(expected);
  });

  it('rejects more than one matcher where one is expected', () => {
    expect(() => parseMatcher('a=b,c=d')).toThrow(MatcherParseError);
  });
});

describe('matchesAll', () => {
  const labels = { alertname: 'Disk', severity: 'page', instance: 'db-1:9100' };

  it('matches an absent label with a negative matcher', () => {
    expect(matchesAll(parseMatchers('team!="infra"'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('team!~"infra|ops"'), labels)).toBe(true);
  });

  it('matches an absent label with an empty equality', () => {
    expect(matchesAll(parseMatchers('team=""'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('severity=""'), labels)).toBe(false);
  });

  it('anchors regexes at both ends', () => {
    expect(matchesAll(parseMatchers('severity=~"pag"'), labels)).toBe(false);
    expect(matchesAll(parseMatchers('severity=~"pag|x"'), labels)).toBe(false);
    expect(matchesAll(parseMatchers('instance=~"db-.*"'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('instance!~"db-.*"'), labels)).toBe(false);
  });

  it('needs every matcher to hold, and an empty list holds always', () => {
    expect(matchesAll(parseMatchers('alertname="Disk",severity="ticket"'), labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(true);
  });

  it('does not take inherited object properties for labels', () => {
    expect(matchesAll(parseMatchers('constructor=""'), labels)).toBe(true);
  });

  it('runs a catastrophic-backtracking pattern in linear time (RE2)', () => {
    const m = parseMatchers('a=~"(x+x+)+y"');
    expect(matchesAll(m, { a: 'x'.repeat(5000) })).toBe(false);
  });
});

describe('API v2 matchers', () => {
  it('maps each operator to isRegex and isEqual and back', () => {
    for (const type of ['=', '!=', '=~', '!~'] as const) {
      const m: Matcher = { name: 'a', value: 'b', type };
      expect(fromApiMatcher(toApiMatcher(m))).toEqual(m);
    }
    expect(toApiMatcher({ name: 'a', value: 'b', type: '!~' })).toEqual({ name: 'a', value: 'b', isRegex: true, isEqual: false });
  });

  it('treats an absent isEqual as equality', () => {
    expect(fromApiMatcher({ name: 'a', value: 'b.*', isRegex: true }).type).toBe('=~');
  });

  it('rejects an invalid regex', () => {
    expect(() => fromApiMatcher({ name: 'a', value: '(', isRegex: true })).toThrow();
  });
});

describe('formatMatchers', () => {
  it('prints the form Alertmanager prints', () => {
    expect(formatMatchers(parseMatchers('a=b, c=~"d.*"'))).toBe('{a="b",c=~"d.*"}');
  });

  it('reads back what it prints, for any names and values', () => {
    const name = fc.oneof(fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,8}$/), fc.string({ minLength: 1, maxLength: 8 }));
    // Values are literal text here; regex operators would need valid RE2 values.
    const matcher = fc.record({ name, value: fc.string({ maxLength: 12 }), type: fc.constantFrom('=' as const, '!=' as const) });
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 5 }), (ms) => {
        expect(parseMatchers(formatMatchers(ms))).toEqual(ms);
      }),
    );
  });
});

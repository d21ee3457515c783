/**
 * Alertmanager label matchers: parsing the text forms Alertmanager and amtool accept, matching a
 * label set, and converting to and from the API v2 shape. Regexes run on RE2 (re2js) because they
 * are user input: linear time, no ReDoS.
 */
import { RE2JS } from 're2js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  value: string;
  type: MatchType;
}

/** The API v2 matcher shape (`isEqual` absent means true, as in Alertmanager). */
export interface ApiMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export type Labels = Readonly<Record<string, string>>;

export class MatcherParseError extends Error {
  /** 1-based column in the text given to the parser. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} at column ${column}`);
    this.name = 'MatcherParseError';
    this.column = column;
  }
}

const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NAME_START = /[a-zA-Z_:]/;
const NAME_PART = /[a-zA-Z0-9_:]/;

// Compiled once per distinct regex value; matchers are parsed far more often than new regexes appear.
const regexCache = new Map<string, RE2JS>();
const REGEX_CACHE_LIMIT = 1000;

function compileAnchored(value: string): RE2JS {
  const cached = regexCache.get(value);
  if (cached) return cached;
  // Alertmanager anchors every regex matcher: the whole value must match.
  const compiled = RE2JS.compile(`^(?:${value})$`);
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(value, compiled);
  return compiled;
}

/** Builds a matcher, compiling (and so validating) a regex value. Throws on an invalid regex. */
export function createMatcher(name: string, type: MatchType, value: string): Matcher {
  if (type === '=~' || type === '!~') compileAnchored(value);
  return { name, type, value };
}

/** Whether one matcher accepts a label value (`undefined`, an absent label, counts as ""). */
export function matchesValue(matcher: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (matcher.type) {
    case '=':
      return v === matcher.value;
    case '!=':
      return v !== matcher.value;
    case '=~':
      return compileAnchored(matcher.value).matches(v);
    case '!~':
      return !compileAnchored(matcher.value).matches(v);
  }
}

/** Whether every matcher accepts the label set; an empty list matches everything. */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matchesValue(m, Object.hasOwn(labels, m.name) ? labels[m.name] : undefined));
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSpace(): void {
    while (!this.done && /\s/.test(this.peek())) this.pos++;
  }
  fail(message: string, at = this.pos): never {
    throw new MatcherParseError(message, at + 1);
  }
  /** A double-quoted string with `\"`, `\\`, `\n` and `\t` escapes; the cursor is on the quote. */
  quoted(what: string): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.done) this.fail(`expected closing quote of ${what} opened`, start);
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === '"' || e === '\\') out += e;
        else if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else this.fail(`expected an escape (\\", \\\\, \\n or \\t) in ${what}`, this.pos + 1);
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
  }
}

function parseOne(s: Scanner, braced: boolean): Matcher {
  s.skipSpace();
  let name: string;
  const nameAt = s.pos;
  if (s.peek() === '"') {
    name = s.quoted('label name');
    if (name === '') s.fail('expected a non-empty label name', nameAt);
  } else {
    if (!NAME_START.test(s.peek())) s.fail('expected a label name');
    const start = s.pos;
    while (!s.done && NAME_PART.test(s.peek())) s.pos++;
    name = s.text.slice(start, s.pos);
  }
  s.skipSpace();
  const two = s.text.slice(s.pos, s.pos + 2);
  let type: MatchType;
  if (two === '=~' || two === '!~' || two === '!=') type = two;
  else if (s.peek() === '=') type = '=';
  else s.fail('expected an operator (=, !=, =~ or !~)');
  s.pos += type.length;
  s.skipSpace();
  const valueAt = s.pos;
  let value: string;
  if (s.peek() === '"') {
    value = s.quoted('label value');
  } else {
    // Unquoted values (amtool's `a=b`) run to the next comma or closing brace.
    const start = s.pos;
    while (!s.done && s.peek() !== ',' && !(braced && s.peek() === '}')) {
      if (s.peek() === '"') s.fail('expected a comma or the end before a quote in an unquoted value');
      s.pos++;
    }
    value = s.text.slice(start, s.pos).trimEnd();
  }
  try {
    return createMatcher(name, type, value);
  } catch (err) {
    s.fail(`expected a valid regular expression (${(err as Error).message})`, valueAt);
  }
}

/**
 * Parses a list of matchers: `{a="b", c=~"d.*"}`, or the same without braces, values quoted or not,
 * label names quoted to carry any UTF-8. An empty text (or `{}`) is an empty list.
 */
export function parseMatchers(text: string): Matcher[] {
  const s = new Scanner(text);
  s.skipSpace();
  const braced = s.peek() === '{';
  if (braced) s.pos++;
  const out: Matcher[] = [];
  for (;;) {
    s.skipSpace();
    if (s.done) {
      if (braced) s.fail('expected a closing brace');
      return out;
    }
    if (braced && s.peek() === '}') break;
    out.push(parseOne(s, braced));
    s.skipSpace();
    if (s.peek() === ',') {
      s.pos++;
      continue;
    }
    if (s.done && !braced) return out;
    if (braced && s.peek() === '}') break;
    s.fail(braced ? 'expected a comma or a closing brace' : 'expected a comma or the end');
  }
  s.pos++;
  s.skipSpace();
  if (!s.done) s.fail('expected the end after the closing brace');
  return out;
}

/** Parses exactly one matcher. */
export function parseMatcher(text: string): Matcher {
  const list = parseMatchers(text);
  if (list.length !== 1) throw new MatcherParseError(`expected exactly one matcher, found ${list.length}`, 1);
  return list[0] as Matcher;
}

/**
 * Go's `%q` for the strings Alertmanager prints (group keys, matcher strings): escapes the quote,
 * the backslash and control characters; printable Unicode is kept.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** One matcher as text our parser reads back; names outside the legacy charset are quoted. */
export function formatMatcher(m: Matcher): string {
  const name = LEGACY_NAME.test(m.name) ? m.name : goQuote(m.name);
  return `${name}${m.type}${goQuote(m.value)}`;
}

/** `{a="b",c=~"d"}`, the form Alertmanager prints in route keys. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map(formatMatcher).join(',')}}`;
}

const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

/** Alertmanager's matcher order (name, then value, then type), used in route keys. */
export function compareMatchers(a: Matcher, b: Matcher): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}

export function toApiMatcher(m: Matcher): Required<ApiMatcher> {
  return { name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~' };
}

/** Throws (re2js syntax error) when a regex value does not compile. */
export function fromApiMatcher(m: ApiMatcher): Matcher {
  const equal = m.isEqual ?? true;
  const type: MatchType = m.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!=';
  return createMatcher(m.name, type, m.value);
}

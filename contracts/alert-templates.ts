/**
 * Prometheus annotation templates, the small part of Go's text/template that alerting rules use:
 * `{{ $labels.x }}`, `{{ $value }}`, `{{ .Labels.x }}`, `{{ .Value }}`, `{{ $externalLabels.x }}`,
 * string and number literals, functions called with arguments or through pipes (`humanize`,
 * `humanizePercentage`, `humanizeDuration`, `printf`, `toUpper`, `toLower`) and the trim markers
 * `{{-` and `-}}`. It lives in contracts so the browser's rule form checks templates as the
 * server does; no Node or DOM imports.
 *
 * A label the alert does not have renders as the empty string, not Go's `<no value>`: an
 * annotation read by a person says less rather than something that looks like data.
 */

export class TemplateError extends Error {
  constructor(
    /** The template's name, e.g. `summary`. */
    readonly template: string,
    /** 1-based line and column in the template's text where the problem is. */
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`template ${template}:${line}:${column}: ${problem}`);
    this.name = 'TemplateError';
  }
}

export interface TemplateData {
  labels: Record<string, string>;
  value: number;
  externalLabels?: Record<string, string>;
}

export interface CompiledTemplate {
  render(data: TemplateData): string;
}

type Value = string | number;
type Operand = (data: TemplateData) => Value;
type Fn = (args: Value[]) => Value;

const num = (v: Value) => (typeof v === 'number' ? v : Number(v));

/** Go's `%.<p>g`: shortest of fixed and exponent notation, trailing zeros dropped. */
export function formatG(v: number, precision = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(precision)))));
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, exp] = v.toExponential(precision - 1).split('e') as [string, string];
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const e = Number(exp);
    return `${trimmed}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = v.toPrecision(precision);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Prometheus's humanize: SI prefixes (k, M, G… and m, u, n…), four significant digits. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return formatG(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${formatG(v)}${prefix}`;
}

/** Prometheus's humanizeDuration: seconds as `1d 2h 3m 4s`, or `1.5s`, `250ms` below a minute. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return formatG(v);
  if (v === 0) return '0s';
  const sign = v < 0 ? '-' : '';
  let a = Math.abs(v);
  if (a >= 1) {
    const whole = Math.floor(a);
    const [d, h, m, s] = [Math.floor(whole / 86_400), Math.floor(whole / 3600) % 24, Math.floor(whole / 60) % 60, whole % 60];
    if (d) return `${sign}${d}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${formatG(a)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (a >= 1) break;
    prefix = p;
    a *= 1000;
  }
  return `${sign}${formatG(a)}${prefix}s`;
}

/** Go's fmt verbs that annotations use: %d %f %.Nf %g %.Ng %e %s %v %q %%. */
export function printf(format: string, args: Value[]): string {
  let next = 0;
  return format.replace(/%(-?\d{0,3})(\.\d{1,3}|)([dfgesvq%])/g, (_, width: string, dotted: string | undefined, verb: string) => {
    const precision = dotted ? dotted.slice(1) : undefined;
    if (verb === '%') return '%';
    const arg = args[next++];
    if (arg === undefined) return `%!${verb}(MISSING)`;
    const p = precision === undefined ? undefined : Number(precision);
    let out: string;
    switch (verb) {
      case 'd':
        out = String(Math.trunc(num(arg)));
        break;
      case 'f':
        out = num(arg).toFixed(p ?? 6);
        break;
      case 'g':
        out = p === undefined ? String(num(arg)) : formatG(num(arg), p);
        break;
      case 'e':
        out = num(arg)
          .toExponential(p ?? 6)
          .replace(/e([+-])(\d)$/, 'e$10$2');
        break;
      case 'q':
        out = JSON.stringify(String(arg));
        break;
      default:
        out = String(arg);
    }
    const w = Number(width || 0);
    return w < 0 ? out.padEnd(-w) : out.padStart(w);
  });
}

const FUNCTIONS: Record<string, { arity: number | 'variadic'; fn: Fn }> = {
  humanize: { arity: 1, fn: ([v]) => humanize(num(v!)) },
  humanizePercentage: { arity: 1, fn: ([v]) => `${formatG(num(v!) * 100)}%` },
  humanizeDuration: { arity: 1, fn: ([v]) => humanizeDuration(num(v!)) },
  printf: { arity: 'variadic', fn: ([format, ...rest]) => printf(String(format), rest) },
  toUpper: { arity: 1, fn: ([v]) => String(v).toUpperCase() },
  toLower: { arity: 1, fn: ([v]) => String(v).toLowerCase() },
};

export const TEMPLATE_FUNCTIONS = Object.keys(FUNCTIONS);

const VARIABLES: Record<string, (data: TemplateData, key: string | undefined) => Value> = {
  $value: (d) => d.value,
  '.Value': (d) => d.value,
  $labels: (d, k) => (k === undefined ? '' : (d.labels[k] ?? '')),
  '.Labels': (d, k) => (k === undefined ? '' : (d.labels[k] ?? '')),
  $externalLabels: (d, k) => (k === undefined ? '' : (d.externalLabels?.[k] ?? '')),
  '.ExternalLabels': (d, k) => (k === undefined ? '' : (d.externalLabels?.[k] ?? '')),
};

interface Token {
  text: string;
  at: number;
  kind: 'word' | 'string' | 'number' | 'pipe';
}

/** Compiles once; throws TemplateError naming the template and the column of the problem. */
export function compileTemplate(text: string, name: string): CompiledTemplate {
  const fail = (at: number, problem: string): never => {
    const before = text.slice(0, at).split('\n');
    throw new TemplateError(name, before.length, before.at(-1)!.length + 1, problem);
  };
  const parts: Array<string | Operand> = [];
  let cursor = 0;
  let trimNext = false;
  while (cursor <= text.length) {
    const open = text.indexOf('{{', cursor);
    let literal = text.slice(cursor, open === -1 ? undefined : open);
    if (trimNext) literal = literal.trimStart();
    if (open === -1) {
      parts.push(literal);
      break;
    }
    const trimBefore = /^\{\{-\s/.test(text.slice(open, open + 4));
    if (trimBefore) literal = literal.trimEnd();
    parts.push(literal);
    const close = text.indexOf('}}', open + 2);
    if (close === -1) fail(open, 'unclosed action: "{{" without "}}"');
    const trimAfter = /\s-$/.test(text.slice(open + 2, close));
    const start = open + (trimBefore ? 3 : 2);
    const end = close - (trimAfter ? 1 : 0);
    parts.push(compileAction(tokenize(text, start, end, fail), fail));
    cursor = close + 2;
    trimNext = trimAfter;
  }
  return {
    render(data) {
      return parts.map((part) => (typeof part === 'string' ? part : String(format(part(data))))).join('');
    },
  };
}

/** A bare `{{ $value }}` prints as Go prints a float64 (%v): the shortest form that reads back. */
const format = (v: Value) => (typeof v === 'number' ? String(v).replace(/e([+-])(\d)$/, 'e$10$2') : v);

function tokenize(text: string, start: number, end: number, fail: (at: number, problem: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      tokens.push({ text: c, at: i++, kind: 'pipe' });
    } else if (c === '"') {
      let j = i + 1;
      while (j < end && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= end) fail(i, 'unterminated string');
      tokens.push({ text: JSON.parse(text.slice(i, j + 1)) as string, at: i, kind: 'string' });
      i = j + 1;
    } else {
      const match = /^[^\s|"]+/.exec(text.slice(i, end))!;
      const word = match[0];
      tokens.push({ text: word, at: i, kind: /^[-+]?(\d|\.\d)/.test(word) ? 'number' : 'word' });
      i += word.length;
    }
  }
  if (tokens.length === 0) fail(start, 'empty action');
  return tokens;
}

function compileAction(tokens: Token[], fail: (at: number, problem: string) => never): Operand {
  // Commands separated by pipes; each command's result is the last argument of the next.
  const commands: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'pipe') {
      if (commands.at(-1)!.length === 0) fail(token.at, 'missing command before "|"');
      commands.push([]);
    } else commands.at(-1)!.push(token);
  }
  if (commands.at(-1)!.length === 0) fail(tokens.at(-1)!.at, 'missing command after "|"');
  let piped: Operand | undefined;
  for (const [index, command] of commands.entries()) {
    const [head, ...rest] = command as [Token, ...Token[]];
    const isFunction = head.kind === 'word' && !head.text.startsWith('$') && !head.text.startsWith('.');
    if (!isFunction) {
      if (index > 0) fail(head.at, `cannot pipe into ${head.text}: not a function`);
      if (rest.length > 0) fail(rest[0]!.at, `unexpected ${rest[0]!.text} after ${head.text}`);
      piped = operand(head, fail);
      continue;
    }
    const known = FUNCTIONS[head.text];
    if (!known) fail(head.at, `unknown function "${head.text}"`);
    const args = rest.map((token) => {
      if (token.kind === 'word' && FUNCTIONS[token.text]) fail(token.at, `a function as an argument needs parentheses, which are not supported: ${token.text}`);
      return operand(token, fail);
    });
    if (piped) args.push(piped);
    const count = args.length;
    if (known!.arity === 'variadic' ? count === 0 : count !== known!.arity) {
      fail(head.at, `${head.text} takes ${known!.arity === 'variadic' ? 'at least 1 argument' : `${known!.arity} argument`}, got ${count}`);
    }
    const fn = known!.fn;
    piped = (data) => fn(args.map((arg) => arg(data)));
  }
  return piped!;
}

function operand(token: Token, fail: (at: number, problem: string) => never): Operand {
  if (token.kind === 'string') return () => token.text;
  if (token.kind === 'number') {
    const n = Number(token.text);
    if (!Number.isFinite(n)) fail(token.at, `bad number ${token.text}`);
    return () => n;
  }
  // `$labels.x` or `.Labels.x`: the variable, then at most one field.
  const dotted = token.text.startsWith('.');
  const [first, second, ...more] = (dotted ? token.text.slice(1) : token.text).split('.');
  const name = dotted ? `.${first}` : first!;
  const key = second;
  const variable = Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : undefined;
  if (!variable || more.length > 0 || (key !== undefined && !/^[a-zA-Z_]\w*$/.test(key))) return fail(token.at, `unknown variable "${token.text}"`);
  const isMap = name !== '$value' && name !== '.Value';
  if (isMap && key === undefined) fail(token.at, `${token.text} needs a label name, e.g. ${token.text}.instance`);
  if (!isMap && key !== undefined) fail(token.at, `${name} has no field ${key}`);
  return (data) => variable(data, key);
}

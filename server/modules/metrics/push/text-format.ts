/**
 * Reads the Prometheus text exposition format 0.0.4 — what prom-client's Pushgateway and every
 * client library push — into metric families, refusing the whole body at the first problem with
 * its line number. Written here rather than taken from npm: the one parser published there
 * (parse-prometheus-text-format, last released 2019) reports no line numbers and accepts
 * duplicate series and timestamps, which a push must refuse. The format is line-oriented: no
 * grammar, so no parser generator either.
 *
 * The rules a push is held to, as the Pushgateway holds them: a `# TYPE` comes before its
 * family's samples and at most once; a family's lines are contiguous; no timestamps (a pushed
 * sample is as of its push); no duplicate series.
 */
import {
  checkFamily,
  isSampleValue,
  METRIC_NAME,
  parseSampleValue,
  PushFormatError,
  seriesNamesOf,
  type PushedFamily,
  type PushedMetricType,
} from './metric-families.ts';

const TYPES = new Set<PushedMetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

interface Family extends PushedFamily {
  /** Lines of each sample, for errors found after the family is complete. */
  lines: Map<object, number>;
  hasSamples: boolean;
  typed: boolean;
}

export function parseTextFormat(body: string): PushedFamily[] {
  const families = new Map<string, Family>();
  /** The series names (`x_bucket`, …) of the families declared so far, to their family. */
  const owners = new Map<string, Family>();
  const closed = new Set<Family>();
  let current: Family | undefined;

  const family = (name: string, line: number): Family => {
    let found = families.get(name);
    if (!found) {
      found = { name, help: '', type: 'untyped', samples: [], lines: new Map(), hasSamples: false, typed: false };
      families.set(name, found);
    }
    if (found !== current) {
      if (current) closed.add(current);
      if (closed.has(found))
        throw new PushFormatError(`the lines of ${name} are not together: it appeared before line ${line} with others in between`, { line, metric: name });
      current = found;
    }
    return found;
  };

  const lines = body.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const comment = /^#[ \t]+(HELP|TYPE)[ \t]/.exec(line);
      if (!comment) continue; // any other comment
      const keyword = comment[1];
      const afterKeyword = line.slice(comment[0].length).replace(/^[ \t]+/, '');
      const name = afterKeyword.split(/[ \t]/, 1)[0]!;
      const rest = afterKeyword.slice(name.length).replace(/^[ \t]/, '');
      if (!METRIC_NAME.test(name)) throw new PushFormatError(`"${name}" is not a valid metric name`, { line: lineNumber, metric: name });
      const target = family(name, lineNumber);
      if (keyword === 'HELP') {
        if (target.help) throw new PushFormatError(`a second # HELP for ${name}`, { line: lineNumber, metric: name });
        target.help = unescapeHelp(rest);
      } else {
        const type = rest.trim() as PushedMetricType;
        if (!TYPES.has(type))
          throw new PushFormatError(`unknown type "${rest.trim()}" for ${name} (counter, gauge, histogram, summary or untyped)`, {
            line: lineNumber,
            metric: name,
          });
        if (target.hasSamples) throw new PushFormatError(`the # TYPE of ${name} comes after its samples`, { line: lineNumber, metric: name });
        if (target.typed) throw new PushFormatError(`a second # TYPE for ${name}`, { line: lineNumber, metric: name });
        target.type = type;
        target.typed = true;
        for (const series of seriesNamesOf(target)) owners.set(series, target);
      }
      continue;
    }
    const sample = parseSampleLine(line, lineNumber);
    const owner = owners.get(sample.name) ?? (current && seriesNamesOf(current).includes(sample.name) ? current : undefined);
    const target = owner ? family(owner.name, lineNumber) : family(sample.name, lineNumber);
    target.hasSamples = true;
    target.samples.push(sample);
    target.lines.set(sample, lineNumber);
  }

  return [...families.values()]
    .filter((f) => f.samples.length > 0 || f.help || f.type !== 'untyped')
    .map((f) => {
      checkFamily(f, (sample) => ({ line: f.lines.get(sample) }));
      return { name: f.name, help: f.help, type: f.type, samples: f.samples };
    });
}

/** `name{label="value",…} value` — a timestamp after the value is refused. */
function parseSampleLine(line: string, lineNumber: number): { name: string; labels: Record<string, string>; value: number } {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new PushFormatError(`expected a metric name at the start of "${truncate(line)}"`, { line: lineNumber });
  const name = nameMatch[0];
  let position = name.length;
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  position = skipBlanks(line, position);
  if (line[position] === '{') {
    position++;
    for (;;) {
      position = skipBlanks(line, position);
      if (line[position] === '}') {
        position++;
        break;
      }
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(position));
      if (!labelMatch) throw new PushFormatError(`expected a label name in ${name}{…} at column ${position + 1}`, { line: lineNumber, metric: name });
      const label = labelMatch[0];
      position = skipBlanks(line, position + label.length);
      if (line[position] !== '=') throw new PushFormatError(`expected "=" after label ${label} of ${name}`, { line: lineNumber, metric: name });
      position = skipBlanks(line, position + 1);
      if (line[position] !== '"')
        throw new PushFormatError(`the value of label ${label} of ${name} must be in double quotes`, { line: lineNumber, metric: name });
      const { value, end } = readQuoted(line, position + 1, lineNumber, name);
      if (label in labels) throw new PushFormatError(`label ${label} appears twice in a series of ${name}`, { line: lineNumber, metric: name });
      labels[label] = value;
      position = skipBlanks(line, end);
      if (line[position] === ',') position++;
      else if (line[position] !== '}') throw new PushFormatError(`expected "," or "}" after label ${label} of ${name}`, { line: lineNumber, metric: name });
    }
  }
  const rest = line
    .slice(position)
    .trim()
    .split(/[ \t]+/);
  const [valueText = '', timestamp] = rest;
  if (!valueText) throw new PushFormatError(`${name} has no value`, { line: lineNumber, metric: name });
  if (!isSampleValue(valueText)) throw new PushFormatError(`"${truncate(valueText)}" is not a sample value of ${name}`, { line: lineNumber, metric: name });
  if (timestamp !== undefined) {
    if (rest.length > 2 || !/^-?\d+$/.test(timestamp))
      throw new PushFormatError(`unexpected "${truncate(rest.slice(1).join(' '))}" after the value of ${name}`, { line: lineNumber, metric: name });
    throw new PushFormatError(`${name} has a timestamp: pushed samples may not carry one (they are as of the push)`, { line: lineNumber, metric: name });
  }
  return { name, labels: { ...labels }, value: parseSampleValue(valueText) };
}

function readQuoted(line: string, start: number, lineNumber: number, metric: string): { value: string; end: number } {
  let value = '';
  for (let i = start; i < line.length; i++) {
    const char = line[i];
    if (char === '"') return { value, end: i + 1 };
    if (char === '\\') {
      const next = line[++i];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new PushFormatError(`unknown escape "\\${next ?? ''}" in a label value of ${metric}`, { line: lineNumber, metric });
    } else value += char;
  }
  throw new PushFormatError(`a label value of ${metric} has no closing quote`, { line: lineNumber, metric });
}

const skipBlanks = (line: string, position: number) => {
  while (line[position] === ' ' || line[position] === '\t') position++;
  return position;
};

const unescapeHelp = (text: string) => text.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
const truncate = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

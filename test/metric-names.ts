/**
 * Metric names for the tests that hold deploy/ (Prometheus rules, Grafana dashboards) to what
 * Watchkeeper's GET /metrics really exports, so a renamed metric cannot leave a rule that never
 * fires or a panel that stays empty.
 */

/**
 * The metric names a rule file names (expressions and annotations): Watchkeeper's and the standard
 * families it exports; recording rules' `level:metric:operation` names are not metric names.
 */
export function metricNamesIn(text: string): string[] {
  return [...new Set(text.match(/(?<![\w:])(?:watchkeeper|http|process|nodejs)_[a-z0-9_]+(?![\w:])/g) ?? [])];
}

/** Every name a query may use for the families of an exposition: a histogram's series, a counter with and without `_total`. */
export function exportedFamilies(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
    type === 'histogram'
      ? [name!, `${name}_bucket`, `${name}_sum`, `${name}_count`]
      : type === 'counter' && !name!.endsWith('_total')
        ? [name!, `${name}_total`]
        : [name!],
  );
}

/** The names the recording rules of a rule file record. */
export function recordedNames(ruleText: string): string[] {
  return [...ruleText.matchAll(/^\s*-?\s*record:\s*(\S+)/gm)].map((match) => match[1]!);
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2', 'group_left', 'group_right']);

/**
 * Every metric name a PromQL expression selects, whatever its prefix (unlike metricNamesIn, which
 * knows only Watchkeeper's): what is left once strings, label matchers, ranges, label lists,
 * Grafana variables, function names, keywords and numbers are taken out. A selector written only
 * as `{__name__=~"…"}` names no metric.
 */
export function metricNamesInQuery(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:.$])[a-zA-Z_:][\w:]*(?![\w:]*\s*\()/g)].map(([name]) => name);
  return [...new Set(names.filter((name) => !PROMQL_KEYWORDS.has(name.toLowerCase())))];
}

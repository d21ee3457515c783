import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from './templates.ts';

const render = (text: string, value = 0, labels: Record<string, string> = { instance: 'db-1', job: 'postgres' }, externalLabels = { cluster: 'eu' }) =>
  compileTemplate(text, 'summary').render({ labels, value, externalLabels });

const errorOf = (text: string): TemplateError => {
  try {
    compileTemplate(text, 'summary');
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`compiled: ${text}`);
};

describe('annotation templates', () => {
  it('renders labels and the value in both spellings, and external labels', () => {
    expect(render('{{ $labels.instance }} of {{ .Labels.job }} is at {{ $value }} / {{ .Value }}', 0.25)).toBe('db-1 of postgres is at 0.25 / 0.25');
    expect(render('in {{ $externalLabels.cluster }}{{ .ExternalLabels.cluster }}')).toBe('in eueu');
    expect(render('plain text, no action')).toBe('plain text, no action');
  });

  it('renders a label the alert does not have as the empty string, never throwing', () => {
    expect(render('[{{ $labels.missing }}]')).toBe('[]');
    expect(render('[{{ $labels.missing | toUpper }}]')).toBe('[]');
    expect(compileTemplate('[{{ $externalLabels.x }}]', 's').render({ labels: {}, value: 1 })).toBe('[]');
  });

  it('humanizes with SI prefixes, as Prometheus does', () => {
    expect(render('{{ $value | humanize }}', 1234567)).toBe('1.235M');
    expect(render('{{ $value | humanize }}', 0.000_25)).toBe('250u');
    expect(render('{{ $value | humanize }}', 12)).toBe('12');
    expect(render('{{ $value | humanize }}', 0)).toBe('0');
    expect(render('{{ humanize $value }}', 2048)).toBe('2.048k');
  });

  it('humanizes a ratio as a percentage and seconds as a duration', () => {
    expect(render('{{ $value | humanizePercentage }}', 0.9312)).toBe('93.12%');
    expect(render('{{ $value | humanizeDuration }}', 93_784)).toBe('1d 2h 3m 4s');
    expect(render('{{ $value | humanizeDuration }}', 3725)).toBe('1h 2m 5s');
    expect(render('{{ $value | humanizeDuration }}', 65)).toBe('1m 5s');
    expect(render('{{ $value | humanizeDuration }}', 1.5)).toBe('1.5s');
    expect(render('{{ $value | humanizeDuration }}', 0.25)).toBe('250ms');
  });

  it('formats with printf, called directly or at the end of a pipe', () => {
    expect(render('{{ printf "%.2f" $value }}', 3.14159)).toBe('3.14');
    expect(render('{{ $value | printf "%.1f%%" }}', 97.26)).toBe('97.3%');
    expect(render('{{ printf "%s is %d" $labels.instance $value }}', 7.9)).toBe('db-1 is 7');
  });

  it('changes case with toUpper and toLower, chained through pipes', () => {
    expect(render('{{ $labels.job | toUpper }}')).toBe('POSTGRES');
    expect(render('{{ "MiXeD" | toLower | toUpper }}')).toBe('MIXED');
  });

  it('trims the whitespace before {{- and after -}}', () => {
    expect(render('a   {{- $labels.job -}}   b')).toBe('apostgresb');
    expect(render('a\n  {{- " x " }}\n b')).toBe('a x \n b');
  });

  it('names the template and the 1-based column of an unclosed action', () => {
    const error = errorOf('Disk {{ $value ');
    expect(error).toMatchObject({ template: 'summary', line: 1, column: 6 });
    expect(error.message).toContain('unclosed action');
  });

  it('names an unknown function and an unknown variable with their column', () => {
    expect(errorOf('{{ $value | humanise }}')).toMatchObject({ column: 13, problem: 'unknown function "humanise"' });
    expect(errorOf('x {{ $lables.job }}')).toMatchObject({ column: 6, problem: 'unknown variable "$lables.job"' });
    expect(errorOf('{{ .Value.x }}').problem).toMatch(/has no field/);
    expect(errorOf('{{ $labels }}').problem).toMatch(/needs a label name/);
  });

  it('counts the column on the line of the problem', () => {
    expect(errorOf('first line\n  {{ nope }}')).toMatchObject({ line: 2, column: 6 });
  });

  it('refuses empty actions, dangling pipes, a wrong number of arguments and unterminated strings', () => {
    expect(errorOf('{{ }}').problem).toBe('empty action');
    expect(errorOf('{{ $value | }}').problem).toMatch(/after "\|"/);
    expect(errorOf('{{ toUpper }}').problem).toMatch(/takes 1 argument, got 0/);
    expect(errorOf('{{ printf "%d }}').problem).toBe('unterminated string');
    expect(errorOf('{{ $value $value }}').problem).toMatch(/unexpected/);
    expect(errorOf('{{ $value | $value }}').problem).toMatch(/not a function/);
  });
});

/** The run's report: the environment it ran in, and each scenario's table as markdown. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Metric, Row, ScenarioResult, Table } from './scenario.ts';

export interface Environment {
  date: string;
  commit: string;
  node: string;
  machine: { cpu: string; cores: number; memoryBytes: number };
}

export interface BenchReport {
  environment: Environment;
  settings: { smoke: boolean; seconds: number; warmupSeconds: number; rounds: number; connections: number; database: 'server' | 'embedded' | 'none' };
  scenarios: ScenarioResult[];
}

export function describeEnvironment(): Environment {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a checkout (an installed package): the report says so rather than failing.
  }
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    machine: { cpu: cpuList[0]?.model ?? 'unknown', cores: cpuList.length, memoryBytes: totalmem() },
  };
}

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function tableRow(row: Row): string {
  const cells = [
    row.label,
    number(row.rps),
    number(row.latencyMs.p50, 2),
    number(row.latencyMs.p95, 2),
    number(row.latencyMs.p99, 2),
    `${row.errors.non2xx} / ${row.errors.timeouts} / ${row.errors.errors}`,
    number(row.cpuMicrosPerRequest, 1),
    number(row.rssBytes / 1_048_576, 1),
    row.queriesPerRequest === undefined ? '' : number(row.queriesPerRequest, 2),
    row.ratio === undefined ? '' : `${number(row.ratio, 3)}×`,
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
  ];
  return `| ${cells.join(' | ')} |`;
}

function formatValue(value: number): string {
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return number(value, digits);
}

function metricRow(metric: Metric): string {
  const cells = [metric.label, formatValue(metric.value), metric.unit, metric.target ?? '', metric.pass === undefined ? '' : metric.pass ? 'pass' : 'FAIL'];
  return `| ${cells.join(' | ')} |`;
}

function renderTable(table: Table): string[] {
  const cell = (value: string | number) => (typeof value === 'number' ? formatValue(value) : value);
  return [
    `**${table.title}**`,
    '',
    `| ${table.columns.join(' | ')} |`,
    `| ${table.columns.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const { environment: env, settings } = report;
  const lines = [
    '# Benchmark results',
    '',
    `- Date: ${env.date}`,
    `- Commit: ${env.commit}`,
    `- Node: ${env.node}`,
    `- Machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${number(env.machine.memoryBytes / 1_073_741_824, 1)} GiB`,
    `- Run: ${settings.smoke ? 'smoke, ' : ''}${settings.rounds} round(s) of ${settings.seconds} s windows after ${settings.warmupSeconds} s warm-up, ${settings.connections} connections, database: ${settings.database}`,
    '',
    'Absolute numbers depend on the machine and on what else runs on it (the one above is shared with other work); compare the ratios.',
    '',
    'Latencies in ms; errors are non-2xx / timeouts / connection errors; CPU and RSS are the server process’s; ratio is to the scenario’s baseline (its first row), measured in the same run.',
  ];
  for (const scenario of report.scenarios) {
    lines.push('', `## ${scenario.name}`, '', scenario.description);
    if (scenario.rows.length) {
      lines.push(
        '',
        '| | req/s | p50 | p95 | p99 | errors | CPU µs/req | RSS MiB | queries/req | ratio | target | result |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
        ...scenario.rows.map(tableRow),
      );
    }
    // Scenarios that measure sizes or times rather than request rates (storage, footprint).
    if (scenario.metrics?.length)
      lines.push('', '| | value | unit | target | result |', '| --- | ---: | --- | --- | --- |', ...scenario.metrics.map(metricRow));
    for (const table of scenario.tables ?? []) lines.push('', ...renderTable(table));
    if (scenario.notes.length) lines.push('', ...scenario.notes.map((note) => `- ${note}`));
    const written = (scenario.charts ?? []).filter((chart) => chart.file);
    if (written.length) lines.push('', `Charts: ${written.map((chart) => `[${chart.title}](${chart.file})`).join(' · ')}`);
  }
  return `${lines.join('\n')}\n`;
}

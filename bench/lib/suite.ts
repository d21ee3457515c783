/** Runs scenarios against one Watchkeeper started for the run, and writes the report. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios as allScenarios } from '../scenarios/index.ts';
import { describeEnvironment, renderMarkdown, type BenchReport } from './report.ts';
import type { BenchContext, ScenarioResult } from './scenario.ts';
import { startSubject, type Subject } from './subject.ts';
import { renderSvgChart } from './svg-chart.ts';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface BenchOptions {
  /** Scenario names; none: every scenario that is not long-running. */
  names?: string[];
  smoke?: boolean;
  /** PostgreSQL server to create the bench database on; unset: an embedded one. */
  databaseUrl?: string;
  /** Write bench/results/<timestamp>.json and, unless smoke, bench/RESULTS.md. */
  write?: boolean;
  log?: (message: string) => void;
}

export async function runBench({ names = [], smoke = false, databaseUrl, write = false, log = () => {} }: BenchOptions = {}): Promise<{
  report: BenchReport;
  markdown: string;
}> {
  const unknown = names.filter((name) => !allScenarios.some((scenario) => scenario.name === name));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${allScenarios.map((scenario) => scenario.name).join(', ')}`);
  const selected = names.length ? allScenarios.filter((scenario) => names.includes(scenario.name)) : allScenarios.filter((scenario) => !scenario.longRunning);

  let subject: Promise<Subject> | undefined;
  const context: BenchContext = {
    smoke,
    seconds: smoke ? 1 : 5,
    warmupSeconds: smoke ? 0.5 : 3,
    rounds: smoke ? 1 : 3,
    connections: 10,
    databaseUrl,
    settleMs: smoke ? 0 : 11_000,
    subject: () => {
      if (!subject) {
        log('starting watchkeeper');
        subject = startSubject({ databaseUrl });
      }
      return subject;
    },
    log,
  };
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of selected) results.push(await scenario.run(context));
  } finally {
    if (subject) await (await subject.catch(() => undefined))?.stop();
  }
  const report: BenchReport = {
    environment: describeEnvironment(),
    settings: {
      smoke,
      seconds: context.seconds,
      warmupSeconds: context.warmupSeconds,
      rounds: context.rounds,
      connections: context.connections,
      // Scenarios that start Watchkeeper their own way (checks, footprint) use the same database.
      database: databaseUrl ? 'server' : 'embedded',
    },
    scenarios: results,
  };
  const stamp = report.environment.date.replaceAll(':', '-');
  const resultsDir = join(BENCH_DIR, 'results');
  if (write) {
    mkdirSync(resultsDir, { recursive: true });
    // Before the markdown, which links each chart by the file name set here.
    for (const scenario of results) {
      for (const chart of scenario.charts ?? []) {
        chart.file = `results/${stamp}-${scenario.name}-${chart.id}.svg`;
        writeFileSync(join(BENCH_DIR, chart.file), renderSvgChart(chart));
      }
    }
  }
  const markdown = renderMarkdown(report);
  if (write) {
    writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    // A smoke run's numbers mean nothing: it never replaces the committed table.
    if (!smoke) writeResultsTable(join(BENCH_DIR, 'RESULTS.md'), markdown);
  }
  return { report, markdown };
}

/** Below this line RESULTS.md keeps the record of optimisations (before → after, same run), written by hand. */
export const KEPT_SECTION_MARKER = '<!-- kept across runs: optimisations -->';

/** Replaces the generated table and keeps what follows the marker, so a run never erases the record. */
function writeResultsTable(file: string, markdown: string): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, mergeResults(previous, markdown));
}

const EARLIER_RUN = 'From an earlier run:';

/** The `## <scenario>` sections of a generated table, each with its text up to the next. */
function scenarioSections(markdown: string): { name: string; text: string }[] {
  return markdown
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((text) => ({ name: text.slice(3, text.indexOf('\n')).trim(), text: text.trimEnd() }));
}

/**
 * RESULTS.md after a run: the run's tables; then the scenarios it did not run, as the previous
 * file had them, each marked with the run it came from (a run of one scenario must not erase the
 * others' latest numbers); then the hand-written record below the marker.
 */
export function mergeResults(previous: string, markdown: string): string {
  // The last marker: a stray one above it (an earlier merge's) must not hide the sections after it.
  const at = previous.lastIndexOf(KEPT_SECTION_MARKER);
  const generated = (at === -1 ? previous : previous.slice(0, at)).replaceAll(`${KEPT_SECTION_MARKER}\n`, '');
  const ran = new Set(scenarioSections(markdown).map((section) => section.name));
  const date = /^- Date: (.+)$/m.exec(generated)?.[1];
  const commit = /^- Commit: ([0-9a-f]{7})/m.exec(generated)?.[1];
  const carried = scenarioSections(generated)
    .filter((section) => !ran.has(section.name))
    .map(({ text }) => (text.includes(EARLIER_RUN) || !date ? text : text.replace('\n', `\n\n${EARLIER_RUN} ${date}${commit ? `, commit ${commit}` : ''}.\n`)));
  return `${[markdown.trimEnd(), ...carried, ...(at === -1 ? [] : [previous.slice(at).trimEnd()])].join('\n\n')}\n`;
}

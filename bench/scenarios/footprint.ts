/**
 * footprint: what Watchkeeper costs on a small machine — idle memory of the server plus its
 * embedded PostgreSQL, and the time from spawning `bin/watchkeeper.js start` to ready, both on a
 * fresh DATA_DIR (initdb included) and on a second start of the same directory (warm disk).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric, Scenario, Table } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { timedStart, type TimedStart } from '../lib/timed-start.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIB = 1_048_576;
const RSS_TARGET_BYTES = 250 * MIB;
const WARM_TARGET_MS = 3_000;
const FIRST_TARGET_MS = 10_000;

const isPostgres = (command: string) => /postgres/.test(command.split(' ')[0] ?? '');
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

interface StartMeasure {
  kind: 'first' | 'warm';
  readyMs: number;
  serverRssBytes: number;
  postgresRssBytes: number;
  postgresProcesses: number;
  totalRssBytes: number;
  totalPssBytes: number;
}

function measure(kind: StartMeasure['kind'], start: TimedStart): StartMeasure {
  const postgres = start.processes.filter((p) => isPostgres(p.command));
  const server = start.processes.filter((p) => !isPostgres(p.command));
  return {
    kind,
    readyMs: start.readyMs,
    serverRssBytes: sum(server.map((p) => p.rssBytes)),
    postgresRssBytes: sum(postgres.map((p) => p.rssBytes)),
    postgresProcesses: postgres.length,
    totalRssBytes: sum(start.processes.map((p) => p.rssBytes)),
    totalPssBytes: sum(start.processes.map((p) => p.pssBytes)),
  };
}

/** Builds dist/ if the sources changed, so that no start is timed with a compile in it. */
function buildIfStale(): void {
  const result = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build failed (${result.status ?? result.signal})`);
}

export const footprint: Scenario = {
  name: 'footprint',
  description:
    'Idle memory of Watchkeeper and its embedded PostgreSQL, and spawn → /health/readiness 200 on a fresh DATA_DIR (initdb) and on a second start of it (warm disk)',
  async run(context) {
    const runs = context.smoke ? 1 : 3;
    const idleMs = context.smoke ? 1_000 : 10_000;
    buildIfStale();
    const measures: StartMeasure[] = [];
    for (let run = 1; run <= runs; run++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-footprint-'));
      // mkdtemp makes it 0700: as root, PostgreSQL (run as `postgres`) could not reach it and the
      // cluster would go to the system directory, outliving the run. 0755 keeps it in DATA_DIR/postgres.
      chmodSync(dataDir, 0o755);
      try {
        context.log(`footprint: run ${run}/${runs}, first start`);
        measures.push(measure('first', await timedStart({ dataDir, idleMs })));
        context.log(`footprint: run ${run}/${runs}, second start`);
        measures.push(measure('warm', await timedStart({ dataDir, idleMs })));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    const first = measures.filter((m) => m.kind === 'first');
    const warm = measures.filter((m) => m.kind === 'warm');
    const idleRss = median(measures.map((m) => m.totalRssBytes));
    const warmMs = median(warm.map((m) => m.readyMs));
    const firstMs = median(first.map((m) => m.readyMs));
    const metrics: Metric[] = [
      { label: 'idle RSS, server + embedded PostgreSQL', value: idleRss / MIB, unit: 'MiB', target: '≤ 250 MiB', pass: idleRss <= RSS_TARGET_BYTES },
      { label: 'idle RSS, server process', value: median(measures.map((m) => m.serverRssBytes)) / MIB, unit: 'MiB' },
      { label: 'idle RSS, PostgreSQL processes', value: median(measures.map((m) => m.postgresRssBytes)) / MIB, unit: 'MiB' },
      { label: 'idle PSS, server + embedded PostgreSQL', value: median(measures.map((m) => m.totalPssBytes)) / MIB, unit: 'MiB' },
      { label: 'start to ready, second start (warm disk)', value: warmMs / 1000, unit: 's', target: '≤ 3 s', pass: warmMs <= WARM_TARGET_MS },
      { label: 'start to ready, first start (initdb)', value: firstMs / 1000, unit: 's', target: '≤ 10 s', pass: firstMs <= FIRST_TARGET_MS },
    ];
    const tables: Table[] = [
      {
        title: 'Each start',
        columns: ['start', 'ready s', 'server RSS MiB', 'PostgreSQL RSS MiB (processes)', 'total RSS MiB', 'total PSS MiB'],
        rows: measures.map((m) => [
          m.kind,
          m.readyMs / 1000,
          m.serverRssBytes / MIB,
          `${(m.postgresRssBytes / MIB).toFixed(1)} (${m.postgresProcesses})`,
          m.totalRssBytes / MIB,
          m.totalPssBytes / MIB,
        ]),
      },
    ];
    const notes = [
      `Medians over ${runs} run(s); memory read from /proc after ${idleMs / 1000} s idle, summed over the server process and every process it started (the postmaster and its backends).`,
      'RSS counts PostgreSQL’s shared memory once per process that touched it; PSS divides it among them, so it is the closer estimate of what the machine gives up.',
      'Ready is timed from spawn to the first 200 from /health/readiness, polled every 20 ms; it includes the stale check of bin/watchkeeper.js.',
    ];
    return { name: 'footprint', description: footprint.description, rows: [], windows: [], metrics, tables, notes };
  },
};

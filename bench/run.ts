/**
 * `npm run bench [-- <scenario>…] [--smoke]`: runs the scenarios (all but the long-running ones
 * when none is named), prints the table and writes bench/results/<timestamp>.json and
 * bench/RESULTS.md. BENCH_SMOKE=1 or --smoke: ~1 s windows, one round (what the tests run).
 * The bench database goes on DATABASE_URL's server when set, else on an embedded PostgreSQL.
 */
import { runBench } from './lib/suite.ts';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const names = args.filter((arg) => !arg.startsWith('--'));

try {
  const { markdown } = await runBench({
    names,
    smoke,
    databaseUrl: process.env.DATABASE_URL || undefined,
    write: true,
    log: (message) => process.stderr.write(`bench: ${message}\n`),
  });
  process.stdout.write(markdown);
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}

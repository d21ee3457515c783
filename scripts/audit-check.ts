/**
 * CI's dependency audit: runs `npm audit --json --audit-level=high` and fails on every high or
 * critical advisory that `.ci/audit-allowlist.json` does not accept. Allowlist entries name the
 * advisory (npm advisory id, GHSA id or advisory URL) and the package, with the reason it was
 * accepted, the date it was reviewed and the date the acceptance expires; an expired entry is
 * reported as a warning so it gets reviewed again. When npm audit cannot get advisories from the
 * registry the check exits with status 3 (UNAVAILABLE_EXIT), distinct from findings (1): an audit
 * that did not run never passes, and `.ci/run` decides how loudly to report it.
 *
 * `npm run audit:check`; `npx tsx scripts/audit-check.ts --from report.json` checks a saved
 * `npm audit --json` report instead of running npm audit, and `--allowlist file.json` reads
 * another allowlist (both for the script's own test).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FAILING = new Set(['high', 'critical']);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const allowlistSchema = z.object({
  entries: z.array(
    z.object({
      id: z.union([z.string().min(1), z.number().int()]),
      package: z.string().min(1),
      reason: z.string().min(10, 'must say why the finding is accepted'),
      reviewed: isoDate,
      expires: isoDate,
    }),
  ),
});
type AllowlistEntry = z.infer<typeof allowlistSchema>['entries'][number];

interface Advisory {
  source: string;
  ghsa?: string;
  url: string;
  package: string;
  title: string;
  severity: string;
  range: string;
}

// The parts of npm's audit report (auditReportVersion 2) this check reads.
const viaSchema = z.object({
  source: z.union([z.number(), z.string()]),
  name: z.string(),
  title: z.string().default(''),
  url: z.string().default(''),
  severity: z.string(),
  range: z.string().default(''),
});
const reportSchema = z.object({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(z.string(), z.object({ via: z.array(z.union([z.string(), viaSchema])) })),
});

/** The advisory service did not answer: no verdict either way. */
const UNAVAILABLE_EXIT = 3;

function fail(message: string, code = 1): never {
  console.error(`audit:check ${code === UNAVAILABLE_EXIT ? 'NOT PERFORMED' : 'FAILED'}: ${message}`);
  process.exit(code);
}

function runNpmAudit(): string {
  const result = spawnSync('npm', ['audit', '--json', '--audit-level=high'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) fail(`could not run npm audit (${result.error.message})`);
  // npm audit exits non-zero when it finds advisories; the JSON report decides, not the exit code.
  return result.stdout;
}

function readReport(text: string): z.infer<typeof reportSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`npm audit did not produce a JSON report (got ${JSON.stringify(text.slice(0, 200))})`);
  }
  const report = reportSchema.safeParse(json);
  if (!report.success) {
    // npm reports a failed request to the advisory endpoint as { message, statusCode, ... } or { error: { summary } }.
    const body = (json ?? {}) as { message?: unknown; error?: { summary?: unknown; detail?: unknown } };
    const why = body.message ?? body.error?.summary ?? body.error?.detail ?? 'unexpected report format';
    fail(
      `npm audit could not get advisories from the registry, so the dependency audit did not run: ${String(why)}. ` +
        'The audit endpoint (POST /-/npm/v1/security/advisories/bulk on the configured registry) must be reachable from CI.',
      UNAVAILABLE_EXIT,
    );
  }
  return report.data;
}

function highAdvisories(report: z.infer<typeof reportSchema>): Advisory[] {
  const found = new Map<string, Advisory>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via) {
      // A string names another vulnerable package; its own advisories are listed under its name.
      if (typeof via === 'string' || !FAILING.has(via.severity)) continue;
      const ghsa = /GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/i.exec(via.url)?.[0];
      const advisory: Advisory = { source: String(via.source), url: via.url, package: via.name, title: via.title, severity: via.severity, range: via.range };
      if (ghsa) advisory.ghsa = ghsa;
      found.set(`${advisory.source} ${advisory.package}`, advisory);
    }
  }
  return [...found.values()];
}

function covers(entry: AllowlistEntry, advisory: Advisory): boolean {
  if (entry.package !== advisory.package) return false;
  const id = String(entry.id);
  return id === advisory.source || id === advisory.url || (advisory.ghsa !== undefined && id.toUpperCase() === advisory.ghsa.toUpperCase());
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index === -1) return undefined;
  return process.argv[index + 1] ?? fail(`${name} needs a file`);
}

function readAllowlist(): AllowlistEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(option('--allowlist') ?? new URL('../.ci/audit-allowlist.json', import.meta.url), 'utf8'));
  } catch (error) {
    fail(`cannot read .ci/audit-allowlist.json (${(error as Error).message})`);
  }
  const allowlist = allowlistSchema.safeParse(json);
  if (!allowlist.success) {
    fail(`.ci/audit-allowlist.json is invalid: ${allowlist.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return allowlist.data.entries;
}

const savedReport = option('--from');
const reportText = savedReport === undefined ? runNpmAudit() : readFileSync(savedReport, 'utf8');
const advisories = highAdvisories(readReport(reportText));
const entries = readAllowlist();
const today = new Date().toISOString().slice(0, 10);

for (const entry of entries) {
  if (entry.expires < today) {
    console.warn(
      `audit:check warning: the allowlist entry for ${entry.package} ${entry.id} expired on ${entry.expires}; review it again (reason given: ${entry.reason})`,
    );
  }
  if (!advisories.some((advisory) => covers(entry, advisory))) {
    console.warn(`audit:check warning: the allowlist entry for ${entry.package} ${entry.id} matches no current high/critical advisory; remove it`);
  }
}

const accepted = advisories.filter((advisory) => entries.some((entry) => covers(entry, advisory)));
const unaccepted = advisories.filter((advisory) => !accepted.includes(advisory));
for (const advisory of accepted) {
  console.log(`accepted (allowlisted): ${advisory.severity} ${advisory.package} ${advisory.ghsa ?? advisory.source} ${advisory.title}`);
}
if (unaccepted.length > 0) {
  console.error(
    `audit:check FAILED: ${unaccepted.length} high/critical advisor${unaccepted.length === 1 ? 'y is' : 'ies are'} not in .ci/audit-allowlist.json:`,
  );
  for (const advisory of unaccepted) {
    console.error(`  ${advisory.severity} ${advisory.package} (${advisory.range}) ${advisory.ghsa ?? advisory.source}: ${advisory.title} ${advisory.url}`);
  }
  console.error('Update the dependency (npm update within the semver range), or add an allowlist entry with the reason it is accepted.');
  process.exit(1);
}
console.log(`audit:check passed: no high/critical advisories beyond the ${accepted.length} allowlisted.`);

/**
 * CI's dependency audit gate (scripts/audit-check.ts), run as CI runs it, on saved `npm audit
 * --json` reports: findings fail, reviewed ones pass, and a report without a verdict is neither.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'wk-audit-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function check(report: unknown, allowlist: unknown = { entries: [] }) {
  const args = [
    '--import',
    'tsx',
    'scripts/audit-check.ts',
    '--from',
    file(`report-${Math.random()}.json`, report),
    '--allowlist',
    file(`allow-${Math.random()}.json`, allowlist),
  ];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

const advisory = (severity: string) => ({
  auditReportVersion: 2,
  vulnerabilities: {
    'left-pad': {
      via: [
        {
          source: 1234567,
          name: 'left-pad',
          title: 'Prototype pollution',
          url: 'https://github.com/advisories/GHSA-abcd-efgh-ijkl',
          severity,
          range: '<1.3.1',
        },
      ],
    },
    'uses-left-pad': { via: ['left-pad'] },
  },
});

const entry = (expires: string) => ({
  id: 'GHSA-abcd-efgh-ijkl',
  package: 'left-pad',
  reason: 'only used by a build script on trusted input',
  reviewed: '2026-11-01',
  expires,
});

describe('dependency audit gate', () => {
  it('passes a report without high or critical advisories', () => {
    expect(check(advisory('moderate'))).toMatchObject({ status: 0 });
  });

  it('fails on a high advisory that no allowlist entry accepts, naming it', () => {
    const result = check(advisory('high'));
    expect(result.status).toBe(1);
    expect(result.output).toContain('left-pad');
    expect(result.output).toContain('GHSA-abcd-efgh-ijkl');
  });

  it('accepts an allowlisted advisory and warns once the acceptance has expired', () => {
    expect(check(advisory('critical'), { entries: [entry('2999-01-01')] })).toMatchObject({ status: 0 });
    const expired = check(advisory('critical'), { entries: [entry('2020-01-01')] });
    expect(expired.status).toBe(0);
    expect(expired.output).toContain('expired on 2020-01-01');
  });

  it('refuses an allowlist entry without a reason', () => {
    const result = check(advisory('high'), { entries: [{ ...entry('2999-01-01'), reason: '' }] });
    expect(result.status).toBe(1);
    expect(result.output).toContain('reason');
  });

  it('reports "not performed" with its own status when the registry gave no advisories', () => {
    const result = check({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' });
    expect(result.status).toBe(3);
    expect(result.output).toContain('NOT PERFORMED');
  });
});

import { describe, expect, it } from 'vitest';
import { KEPT_SECTION_MARKER, mergeResults } from '../bench/lib/suite.ts';

const header = (date: string, commit: string) => `# Benchmark results\n\n- Date: ${date}\n- Commit: ${commit}\n\nLegend.\n`;
const section = (name: string, row: string) => `## ${name}\n\nWhat ${name} measures\n\n| a |\n| --- |\n| ${row} |\n`;

describe('bench/RESULTS.md after a run', () => {
  const previous = `${header('2026-12-01T00:00:00Z', 'aaaaaaa1111')}\n${section('probe', 'old probe')}\n${section('api', 'old api')}\n${KEPT_SECTION_MARKER}\n\n## Optimisations\n\nby hand\n`;

  it('replaces the scenarios the run measured and keeps the others, marked with the run they came from', () => {
    const merged = mergeResults(previous, `${header('2026-12-03T00:00:00Z', 'bbbbbbb2222')}\n${section('api', 'new api')}`);
    expect(merged).toContain('| new api |');
    expect(merged).not.toContain('| old api |');
    expect(merged).toContain('| old probe |');
    expect(merged).toMatch(/## probe\n\nFrom an earlier run: 2026-12-01T00:00:00Z, commit aaaaaaa\./);
    expect(merged.indexOf('| new api |')).toBeLessThan(merged.indexOf('| old probe |'));
  });

  it('keeps the hand-written record below the marker, and marks a carried section only once', () => {
    const once = mergeResults(previous, `${header('2026-12-03T00:00:00Z', 'bbbbbbb2222')}\n${section('api', 'new api')}`);
    const twice = mergeResults(once, `${header('2026-12-04T00:00:00Z', 'ccccccc3333')}\n${section('api', 'newer api')}`);
    expect(twice.match(/From an earlier run/g)).toHaveLength(1);
    expect(twice).toContain('2026-12-01T00:00:00Z');
    expect(twice.endsWith(`${KEPT_SECTION_MARKER}\n\n## Optimisations\n\nby hand\n`)).toBe(true);
  });

  it('replaces a section that a stray marker above the record had hidden, and keeps one marker', () => {
    const stray = `${header('2026-12-01T00:00:00Z', 'aaaaaaa1111')}\n${section('probe', 'old probe')}\n${KEPT_SECTION_MARKER}\n\n${section('checks', 'old checks')}\n${KEPT_SECTION_MARKER}\n\n## Optimisations\n\nby hand\n`;
    const merged = mergeResults(stray, `${header('2026-12-03T00:00:00Z', 'bbbbbbb2222')}\n${section('checks', 'new checks')}`);
    expect(merged).toContain('| new checks |');
    expect(merged).not.toContain('| old checks |');
    expect(merged).toContain('| old probe |');
    expect(merged.match(new RegExp(KEPT_SECTION_MARKER, 'g'))).toHaveLength(1);
  });

  it('is the run alone when there was nothing before', () => {
    expect(mergeResults('', `${header('2026-12-03T00:00:00Z', 'b')}\n${section('api', 'x')}`)).toBe(
      `${header('2026-12-03T00:00:00Z', 'b')}\n${section('api', 'x')}`,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvHeader, toCsvRow, toNdjsonLine } from './audit-export.ts';
import type { StoredAuditRecord } from './audit-repository.ts';

const record: StoredAuditRecord = {
  seq: 7,
  occurredAt: '2024-05-01T12:00:00.123456Z',
  organizationId: null,
  actorType: 'anonymous',
  actorId: null,
  actorLabel: 'eve, "the attacker"',
  action: 'auth.login',
  targetType: 'user',
  targetId: 'u1',
  targetLabel: '=HYPERLINK("http://evil.example")',
  outcome: 'failure',
  ip: '::1',
  userAgent: 'line one\nline two',
  requestId: 'r1',
  details: { reason: 'bad password', b: 1, a: 2 },
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
};

describe('audit export formats', () => {
  it('quotes CSV cells holding commas, quotes or line breaks, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('defuses a cell a spreadsheet would run as a formula: %j', (value) => {
    expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('writes one CRLF-terminated row per record, in the header order', () => {
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    const row = toCsvRow(record);
    expect(row.endsWith('\r\n')).toBe(true);
    expect(row).toContain(',"eve, ""the attacker""",');
    expect(row).toContain(',"\'=HYPERLINK(""http://evil.example"")",');
    expect(row).toContain(',"line one\nline two",');
    expect(row).toContain(',"{""a"":2,""b"":1,""reason"":""bad password""}",');
    expect(row.startsWith('7,2024-05-01T12:00:00.123456Z,,anonymous,,')).toBe(true);
  });

  it('writes NDJSON as one JSON object per line, unaltered', () => {
    const line = toNdjsonLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({
      seq: 7,
      actor: { type: 'anonymous', id: null, label: 'eve, "the attacker"' },
      target: { type: 'user', id: 'u1', label: '=HYPERLINK("http://evil.example")' },
      userAgent: 'line one\nline two',
    });
  });
});

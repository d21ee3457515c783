/**
 * Watchkeeper as an Alertmanager for the real tools: amtool — the Alertmanager's own client,
 * strict about the API v2's shapes — adds, queries, silences and expires against it with an API
 * key as bearer token. Skipped without the binary, except in CI. (A real Prometheus sending its
 * alerts here is the next test to add: in a first try Debian's Prometheus 2.42 sent nothing, not
 * even to a bare HTTP server, within 45 s.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createApiKey, createOrganization, isCI, type TestApp } from './helpers.ts';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';
const tools = [AMTOOL].filter((tool) => !existsSync(tool));
if (isCI && tools.length > 0) throw new Error(`${tools.join(', ')} missing: CI installs prometheus-alertmanager (.ci/run)`);
const note = tools.length === 0 ? '' : ` (skipped: no ${tools.join(', ')}; apt-get install -y prometheus-alertmanager)`;

describe.skipIf(tools.length > 0)(`the Alertmanager API v2 with amtool${note}`, () => {
  let t: TestApp;
  let base: string;
  let key: string;
  const dir = mkdtempSync(join(tmpdir(), 'watchkeeper-alertmanager-'));
  const httpConfig = join(dir, 'http.yml');

  const amtool = async (...args: string[]) => {
    const { stdout } = await run(AMTOOL, [`--alertmanager.url=${base}/alertmanager`, `--http.config.file=${httpConfig}`, ...args], { timeout: 30_000 });
    return stdout;
  };
  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${base}/alertmanager/api/v2${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const project = await createOrganization(t.app);
    key = (await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['alerts:read', 'alerts:write'] })).key;
    writeFileSync(httpConfig, `authorization:\n  credentials: ${key}\n`);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, queries, silences and expires with amtool', async () => {
    await amtool('alert', 'add', 'DiskFull', 'instance=db-1', 'severity=warning', '--annotation=summary=disk nearly full');
    const queried = await amtool('alert', 'query', 'alertname=DiskFull', '-o', 'json');
    expect((JSON.parse(queried) as { labels: Record<string, string> }[]).map((a) => a.labels)).toEqual([
      { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' },
    ]);

    const silenceId = (
      await amtool('silence', 'add', 'alertname=DiskFull', 'instance=~"db-.*"', '--comment=replacing the disk', '--author=ops', '--duration=1h')
    ).trim();
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);
    const silenced = (await (await api('/alerts?filter=alertname%3D%22DiskFull%22')).json()) as { status: { state: string; silencedBy: string[] } }[];
    expect(silenced[0]!.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceId] });
    expect(await amtool('silence', 'query', '-q', 'alertname=DiskFull')).toContain(silenceId);
    // amtool lists silenced alerts unless told not to.
    expect(JSON.parse(await amtool('alert', 'query', '--silenced=false', '-o', 'json', 'alertname=DiskFull'))).toEqual([]);

    await amtool('silence', 'expire', silenceId);
    expect(((await (await api(`/silence/${silenceId}`)).json()) as { status: { state: string } }).status.state).toBe('expired');
    expect(await amtool('silence', 'query', '-q')).not.toContain(silenceId);
    const after = (await (await api('/alerts?filter=alertname%3D%22DiskFull%22')).json()) as { status: { state: string } }[];
    expect(after[0]!.status.state).toBe('active');
  }, 60_000);

  it('shows amtool the status, the receivers and the groups', async () => {
    expect(await amtool('config', 'show')).toContain('receiver');
    const groups = (await (await api('/alerts/groups')).json()) as { labels: Record<string, string>; receiver: { name: string }; alerts: unknown[] }[];
    expect(groups.length).toBeGreaterThan(0);
    expect(groups[0]!.receiver.name).toBeTruthy();
    expect(((await (await api('/receivers')).json()) as { name: string }[]).length).toBeGreaterThan(0);
  });

  it('refuses bad input with problem+json naming the field, never a 500', async () => {
    const cases: [string, unknown, string][] = [
      ['/alerts', [{ labels: {} }], '/body/0/labels'],
      ['/alerts', [{ labels: { 'bad-name': 'x' } }], '/body/0/labels/bad-name'],
      ['/alerts', [{ labels: { a: 'b' }, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }], '/body/0/endsAt'],
      [
        '/silences',
        {
          matchers: [{ name: 'a', value: '(', isRegex: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 60_000).toISOString(),
          createdBy: 'x',
          comment: 'y',
        },
        '/body/matchers/0/value',
      ],
      [
        '/silences',
        { matchers: [], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 60_000).toISOString(), createdBy: 'x', comment: 'y' },
        '/body/matchers',
      ],
    ];
    for (const [path, body, pointer] of cases) {
      const response = await api(path, { method: 'POST', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { errors: { pointer: string }[] };
      expect(problem.errors.map((e) => e.pointer)).toContain(pointer);
    }
    const badFilter = await api('/alerts?filter=' + encodeURIComponent('alertname=~"("'));
    expect(badFilter.status).toBe(400);
    expect(((await badFilter.json()) as { code: string }).code).toBe('WK_ERR_MATCHER_INVALID');
    expect((await api('/silence/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('needs alerts:write to post and alerts:read to read', async () => {
    const readOnly = (await createApiKey(t.app, { scopes: ['alerts:read'] })).key;
    const post = await fetch(`${base}/alertmanager/api/v2/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' },
      body: '[{"labels":{"a":"b"}}]',
    });
    expect(post.status).toBe(403);
    expect((await fetch(`${base}/alertmanager/api/v2/alerts`)).status).toBe(401);
  });
});

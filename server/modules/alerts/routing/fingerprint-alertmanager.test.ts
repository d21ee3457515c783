/**
 * Our fingerprints against the real Alertmanager's: it is started on a free port with a throwaway
 * config and storage, sent alerts, and asked for the fingerprints it computed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFingerprint } from './fingerprint.ts';

const BINARY = '/usr/bin/prometheus-alertmanager';
const present = existsSync(BINARY);
if (!present && process.env.CI === 'true')
  throw new Error(`${BINARY} is missing: CI must run the Alertmanager fingerprint comparison (apt-get install -y prometheus-alertmanager)`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('alertmanager did not become ready');
}

const ALERTS: Record<string, string>[] = [
  { alertname: 'Simple' },
  { alertname: 'Unicode', summary: 'Größe überschritten 🚨', city: '東京', emoji: '😀 ok' },
  { alertname: 'Many', ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`label_${String(i).padStart(2, '0')}`, `v${i * 7}`])) },
  { alertname: 'Punctuation', path: '/var/"log"\\x', multi: 'line\nbreak', colon_name: 'a:b' },
  { alertname: 'Order', zeta: '1', alpha: '2', Mid: '3', _under: '4' },
];

describe.skipIf(!present)(`labelsFingerprint against ${BINARY}`, () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let base = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wk-am-'));
    const config = join(dir, 'alertmanager.yml');
    writeFileSync(config, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(
      BINARY,
      [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: 'ignore' },
    );
    await waitReady(base, child);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('computes the same fingerprint as Alertmanager for varied label sets', async () => {
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ALERTS.map((labels) => ({ labels, annotations: {}, endsAt }))),
    });
    expect(posted.status).toBe(200);
    const listed = (await (await fetch(`${base}/api/v2/alerts`)).json()) as { labels: Record<string, string>; fingerprint: string }[];
    expect(listed).toHaveLength(ALERTS.length);
    for (const labels of ALERTS) {
      const found = listed.find((a) => a.labels.alertname === labels.alertname);
      expect(found?.labels).toEqual(labels);
      expect(labelsFingerprint(labels), labels.alertname).toBe(found?.fingerprint);
    }
  });

  it('matches Alertmanager after it drops labels with empty values', async () => {
    // Alertmanager's API removes empty-valued labels before fingerprinting, so the fingerprint is
    // that of the remaining labels; callers must drop them first, as the API layer will.
    const labels = { alertname: 'Empty', blank: '', kept: 'x' };
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels, endsAt }]) });
    const listed = (await (await fetch(`${base}/api/v2/alerts?filter=${encodeURIComponent('alertname="Empty"')}`)).json()) as {
      labels: Record<string, string>;
      fingerprint: string;
    }[];
    expect(listed[0]?.labels).toEqual({ alertname: 'Empty', kept: 'x' });
    expect(labelsFingerprint({ alertname: 'Empty', kept: 'x' })).toBe(listed[0]?.fingerprint);
  });
});

if (!present) {
  describe('labelsFingerprint against the real Alertmanager', () => {
    it.skip(`skipped: ${BINARY} is not installed (apt-get install -y prometheus-alertmanager); CI fails instead`, () => {});
  });
}

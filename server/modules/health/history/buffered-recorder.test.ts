import { Writable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthStatus } from '../../../../contracts/health.ts';
import { SYSTEM_SCOPE } from '../../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../../test/helpers.ts';
import type { Database } from '../../../infra/database/index.ts';
import type { SampleRecord } from '../health-recorder.ts';
import { createBufferedRecorder, type BufferedRecorderOptions } from './buffered-recorder.ts';
import { createHealthHistoryRepository, type HealthHistoryRepository } from './health-history-repository.ts';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const WARN = 40;
const ERROR = 50;
// The interval never elapses during a test: writes happen on flush(), close() or a full batch.
const NEVER = 3_600_000;

function sample(component: string, i = 0, status: HealthStatus = 'pass'): SampleRecord {
  return { component, scope: SYSTEM_SCOPE, status, latencyMs: i, output: `check ${i}`, checkedAt: new Date(Date.now() - 60_000 + i) };
}

describe('buffered health recorder', () => {
  let migrated: MigratedDatabase;
  let db: Kysely<Database>;
  let repository: HealthHistoryRepository;
  let logs: LogLine[];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as LogLine);
        done();
      },
    }),
  );

  beforeAll(async () => {
    migrated = await createMigratedDatabase();
    ({ db } = migrated);
    repository = createHealthHistoryRepository({ db });
  });
  afterAll(async () => {
    await migrated?.close();
  });
  beforeEach(() => {
    logs = [];
  });

  const recorderWith = (options: Partial<BufferedRecorderOptions> = {}) =>
    createBufferedRecorder({ writer: repository, logger, flushIntervalMs: NEVER, ...options });
  const stored = async (component: string) =>
    db.selectFrom('health_samples').select(['output', 'latency_ms']).where('component', '=', component).orderBy('latency_ms').execute();
  /** Makes the table unreachable the way a lost database would: every write fails (and not as a bad row). */
  const takeTableAway = () => sql`ALTER TABLE health_samples RENAME TO health_samples_away`.execute(db);
  const bringTableBack = () => sql`ALTER TABLE health_samples_away RENAME TO health_samples`.execute(db);

  it('writes samples and events together on flush', async () => {
    const recorder = recorderWith();
    recorder.recordSample(sample('flushed', 1));
    recorder.recordEvent({ component: 'flushed', scope: SYSTEM_SCOPE, kind: 'transition', to: 'pass', occurredAt: new Date() });
    expect(recorder.pending()).toBe(2);
    await recorder.flush();
    expect(recorder.pending()).toBe(0);
    expect(await stored('flushed')).toHaveLength(1);
    expect(await db.selectFrom('health_events').select('to_status').where('component', '=', 'flushed').execute()).toEqual([{ to_status: 'pass' }]);
    await recorder.close();
  });

  it('writes a full batch without waiting for the interval', async () => {
    const recorder = recorderWith({ batchSize: 5 });
    for (let i = 0; i < 5; i++) recorder.recordSample(sample('batched', i));
    await vi.waitFor(async () => expect(await stored('batched')).toHaveLength(5));
    await recorder.close();
  });

  it('writes what is left when closed', async () => {
    const recorder = recorderWith();
    recorder.recordSample(sample('closing', 1));
    recorder.recordSample(sample('closing', 2));
    await recorder.close();
    expect(await stored('closing')).toHaveLength(2);
  });

  it('keeps the rows while writes fail and writes them once the database is back', async () => {
    const recorder = recorderWith();
    await takeTableAway();
    try {
      for (let i = 0; i < 3; i++) expect(() => recorder.recordSample(sample('outage', i))).not.toThrow();
      await recorder.flush();
      await recorder.flush();
      expect(recorder.pending()).toBe(3);
      // Logged once, not on every retry.
      expect(logs.filter((l) => l.level === ERROR)).toHaveLength(1);
      expect(logs[0]).toMatchObject({ msg: expect.stringContaining('rows are kept and retried'), buffered: 3 });
    } finally {
      await bringTableBack();
    }
    await recorder.flush();
    expect(recorder.pending()).toBe(0);
    expect((await stored('outage')).map((r) => r.output)).toEqual(['check 0', 'check 1', 'check 2']);
    expect(logs.at(-1)).toMatchObject({ msg: expect.stringContaining('works again') });
    await recorder.close();
  });

  it('bounds the buffer during a long outage, dropping the oldest samples and saying how many', async () => {
    const recorder = recorderWith({ maxBufferedRows: 10 });
    await takeTableAway();
    try {
      for (let i = 0; i < 25; i++) recorder.recordSample(sample('overflow', i));
      await recorder.flush();
      expect(recorder.pending()).toBeLessThanOrEqual(10);
    } finally {
      await bringTableBack();
    }
    await recorder.flush();
    const rows = await stored('overflow');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.at(-1)?.output).toBe('check 24');
    const warning = logs.find((l) => l.level === WARN && l.msg.includes('dropped'));
    expect(warning).toMatchObject({ dropped: 25 - rows.length });
    await recorder.close();
  });

  it('drops only the row the database rejects, and logs it', async () => {
    const recorder = recorderWith();
    recorder.recordSample(sample('poison', 1));
    recorder.recordSample(sample('poison', 2, 'broken' as HealthStatus));
    recorder.recordSample(sample('poison', 3));
    await recorder.flush();
    expect(recorder.pending()).toBe(0);
    expect((await stored('poison')).map((r) => r.output)).toEqual(['check 1', 'check 3']);
    expect(logs.find((l) => l.level === ERROR)).toMatchObject({ msg: expect.stringContaining('rejected'), component: 'poison' });
    await recorder.close();
  });

  it('reports rows it could not write before shutdown instead of losing them silently', async () => {
    const recorder = recorderWith();
    await takeTableAway();
    try {
      recorder.recordSample(sample('shutdown', 1));
      await recorder.close();
    } finally {
      await bringTableBack();
    }
    expect(logs.find((l) => l.msg.includes('could not be written before shutdown'))).toMatchObject({ level: ERROR, lost: 1 });
    expect(() => recorder.recordSample(sample('shutdown', 2))).not.toThrow();
  });
});

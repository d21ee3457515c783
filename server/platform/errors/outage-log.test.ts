import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createOutageLog } from './outage-log.ts';

function capture() {
  const lines: Array<{ level: number; msg: string; dependency?: string; affectedRequests?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

describe('outage log', () => {
  it('logs the first failure only, then a summary of how many requests met the outage', () => {
    const { lines, logger } = capture();
    const outages = createOutageLog({ logger });
    for (let i = 0; i < 500; i++) outages.report('database', new Error('Connection terminated'));
    expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^database unavailable/)]);
    outages.summarize();
    expect(lines[1]).toMatchObject({ dependency: 'database', affectedRequests: 499, msg: expect.stringMatching(/still unavailable/) });
  });

  it('counts a request that meets the outage twice once', () => {
    const { lines, logger } = capture();
    const outages = createOutageLog({ logger });
    const [first, second] = [{}, {}];
    outages.report('database', undefined, first);
    outages.report('database', undefined, second);
    outages.report('database', undefined, second);
    outages.summarize();
    expect(lines[1]).toMatchObject({ affectedRequests: 1 });
  });

  it('writes no summary for a period in which no request met the outage', () => {
    const { lines, logger } = capture();
    const outages = createOutageLog({ logger });
    outages.report('cache');
    outages.summarize();
    outages.summarize();
    expect(lines).toHaveLength(1);
  });

  it('logs the recovery once, with the requests affected over the whole outage', () => {
    const { lines, logger } = capture();
    let clock = 1_000;
    const outages = createOutageLog({ logger, now: () => clock });
    outages.report('database');
    outages.report('database');
    outages.summarize();
    outages.report('database');
    clock += 5_000;
    outages.recovered('database');
    outages.recovered('database');
    expect(lines.at(-1)).toMatchObject({ dependency: 'database', affectedRequests: 3, outageMs: 5_000, msg: 'database available again' });
    expect(lines.filter((l) => l.msg.includes('available again'))).toHaveLength(1);
    expect(outages.open()).toEqual([]);
  });

  it('keeps each dependency apart, and says nothing of a recovery without an outage', () => {
    const { lines, logger } = capture();
    const outages = createOutageLog({ logger });
    outages.recovered('database');
    outages.report('database');
    outages.report('cache');
    expect(outages.open().sort()).toEqual(['cache', 'database']);
    outages.recovered('cache');
    expect(outages.open()).toEqual(['database']);
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^database unavailable/),
      expect.stringMatching(/^cache unavailable/),
      'cache available again',
    ]);
  });
});

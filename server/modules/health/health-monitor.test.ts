import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { EventBus, type HealthRecoveryEvent, type HealthTransitionEvent } from '../../platform/events/index.ts';
import type { HealthEventRecord, HealthRecorder, SampleRecord } from './health-recorder.ts';
import { HealthMonitor, ProbeTimeoutError, worstStatus } from './health-monitor.ts';
import type { ProbeContext, ProbeDefinition, ProbeResult } from '../../platform/probes/index.ts';

interface Harness {
  monitor: HealthMonitor;
  transitions: HealthTransitionEvent[];
  recoveries: HealthRecoveryEvent[];
  logs: Array<Record<string, unknown> & { level: number; msg: string }>;
  samples: SampleRecord[];
  events: HealthEventRecord[];
}

const monitors: HealthMonitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
});

function harness(
  options: Partial<{
    defaultIntervalMs: number;
    defaultTimeoutMs: number;
    degradationFactor: number;
    recoveryAfterFailures: number;
    startConcurrency: number;
  }> = {},
): Harness {
  const logs: Harness['logs'] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const events = new EventBus({ logger });
  const transitions: HealthTransitionEvent[] = [];
  const recoveries: HealthRecoveryEvent[] = [];
  events.on('health.transition', (e) => void transitions.push(e));
  events.on('health.recovery', (e) => void recoveries.push(e));
  const samples: SampleRecord[] = [];
  const recorded: HealthEventRecord[] = [];
  const recorder: HealthRecorder = { recordSample: (s) => void samples.push(s), recordEvent: (e) => void recorded.push(e) };
  const monitor = new HealthMonitor({
    logger,
    events,
    recorder,
    defaultIntervalMs: 60_000,
    defaultTimeoutMs: 1_000,
    degradationFactor: 3,
    recoveryAfterFailures: 3,
    ...options,
  });
  monitors.push(monitor);
  return { monitor, transitions, recoveries, logs, samples, events: recorded };
}

function probe(id: string, check: (context: ProbeContext) => Promise<ProbeResult>, extra: Partial<ProbeDefinition> = {}): ProbeDefinition {
  return { id, componentType: 'component', critical: false, check, ...extra };
}

/** A probe whose outcome the test sets between runs. */
function scriptedProbe(id: string, extra: Partial<ProbeDefinition> = {}) {
  let next: () => Promise<ProbeResult> = async () => ({ status: 'pass' });
  let calls = 0;
  const definition = probe(
    id,
    async () => {
      calls++;
      return next();
    },
    extra,
  );
  return {
    definition,
    get calls() {
      return calls;
    },
    pass() {
      next = async () => ({ status: 'pass' });
    },
    fail(message = 'broken') {
      next = async () => {
        throw new Error(message);
      };
    },
    result(result: ProbeResult) {
      next = async () => result;
    },
  };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HealthMonitor.version', () => {
  it('changes when a run finishes and when a component comes or goes, and only then', async () => {
    const { monitor } = harness();
    const a = scriptedProbe('a');
    const initial = monitor.version;
    monitor.register(a.definition);
    const registered = monitor.version;
    expect(registered).not.toBe(initial);
    monitor.list();
    monitor.get('a');
    expect(monitor.version).toBe(registered);
    const revision = monitor.get('a')!.revision;
    await monitor.runNow('a');
    const ran = monitor.version;
    expect(ran).not.toBe(registered);
    // The component's own revision moves with it, so a reader can keep what it built per component.
    expect(monitor.get('a')!.revision).toBeGreaterThan(revision);
    expect(monitor.get('a')!.revision).toBe(monitor.version);
    a.fail();
    await monitor.runNow('a');
    expect(monitor.version).not.toBe(ran);
    const failed = monitor.version;
    monitor.unregister('a');
    expect(monitor.version).not.toBe(failed);
  });
});

describe('worstStatus', () => {
  it('orders pass < warn < fail and treats unknown as pass', () => {
    expect(worstStatus([])).toBe('pass');
    expect(worstStatus(['pass', undefined, 'warn'])).toBe('warn');
    expect(worstStatus(['warn', 'fail', 'pass'])).toBe('fail');
  });
});

describe('HealthMonitor', () => {
  describe('results', () => {
    it('keeps nothing but "not checked yet" until a probe has run', () => {
      const { monitor } = harness();
      monitor.register(scriptedProbe('a').definition);
      expect(monitor.get('a')).toMatchObject({ status: undefined, output: 'not checked yet', checkedAt: undefined });
    });

    it('derives status and output from the worst measurement when the probe gives none', async () => {
      const { monitor } = harness();
      const p = scriptedProbe('a');
      p.result({
        measurements: [
          { name: 'x', status: 'pass' },
          { name: 'y', status: 'warn', output: 'y is high' },
        ],
      });
      monitor.register(p.definition);
      const state = await monitor.runNow('a');
      expect(state).toMatchObject({ status: 'warn', output: 'y is high', consecutiveFailures: 0 });
      expect(state?.latencyMs).toEqual(expect.any(Number));
      expect(state?.checkedAt).toBeInstanceOf(Date);
    });

    it('turns a throwing check into fail with its message, counting consecutive failures', async () => {
      const { monitor, samples } = harness();
      const p = scriptedProbe('a');
      monitor.register(p.definition);
      p.fail('connection refused');
      await monitor.runNow('a');
      const state = await monitor.runNow('a');
      expect(state).toMatchObject({ status: 'fail', output: 'connection refused', consecutiveFailures: 2, lastError: 'connection refused' });
      expect(state?.lastErrorAt).toBeInstanceOf(Date);
      p.pass();
      expect(await monitor.runNow('a')).toMatchObject({ status: 'pass', consecutiveFailures: 0, lastError: 'connection refused' });
      expect(samples.map((s) => s.status)).toEqual(['fail', 'fail', 'pass']);
    });

    it('lists components by group, the id being a group of its own', () => {
      const { monitor } = harness();
      monitor.register(scriptedProbe('a', { groups: ['services'] }).definition);
      monitor.register(scriptedProbe('b').definition);
      expect(monitor.list().map((s) => s.id)).toEqual(['a', 'b']);
      expect(monitor.list('services').map((s) => s.id)).toEqual(['a']);
      expect(monitor.list('b').map((s) => s.id)).toEqual(['b']);
    });

    it('refuses a second probe with the same id and forgets an unregistered one', async () => {
      const { monitor } = harness();
      monitor.register(scriptedProbe('a').definition);
      expect(() => monitor.register(scriptedProbe('a').definition)).toThrow(/already registered/);
      expect(monitor.unregister('a')).toBe(true);
      expect(monitor.has('a')).toBe(false);
      expect(monitor.runNow('a')).toBeUndefined();
      expect(monitor.unregister('a')).toBe(false);
    });

    it('drops the result of a run whose probe was unregistered meanwhile', async () => {
      const { monitor, transitions } = harness();
      const gate = deferred();
      monitor.register(probe('a', async () => (await gate.promise, { status: 'fail' })));
      const run = monitor.runNow('a')!;
      monitor.unregister('a');
      gate.resolve();
      await run;
      expect(transitions).toEqual([]);
    });
  });

  describe('scheduling', () => {
    it('runs every probe once on start, then again every interval until stopped', async () => {
      const { monitor } = harness();
      const p = scriptedProbe('a', { intervalMs: 10 });
      monitor.register(p.definition);
      await monitor.start();
      expect(p.calls).toBeGreaterThanOrEqual(1);
      await vi.waitFor(() => expect(p.calls).toBeGreaterThanOrEqual(4), { timeout: 5_000 });
      await monitor.stop();
      const after = p.calls;
      await sleep(60);
      expect(p.calls).toBe(after);
    });

    it('spreads the runs of probes that started together over the interval, then keeps each one interval after its previous run', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
      try {
        const { monitor } = harness();
        const calls = new Map<string, number[]>();
        for (let i = 0; i < 20; i++) {
          const id = `service-${i}`;
          monitor.register(probe(id, async () => (calls.set(id, [...(calls.get(id) ?? []), Date.now()]), { status: 'pass' }), { intervalMs: 60_000 }));
        }
        const startedAt = Date.now();
        await monitor.start();
        for (let second = 0; second < 150; second++) await vi.advanceTimersByTimeAsync(1_000);
        const secondRuns = [...calls.values()].map((times) => Math.floor((times[1]! - startedAt) / 1_000));
        // Without the spread all twenty would run again at 60 s, in one burst.
        expect(secondRuns.every((at) => at < 60)).toBe(true);
        expect(new Set(secondRuns).size).toBeGreaterThan(10);
        for (const times of calls.values()) {
          expect(times.length).toBeGreaterThanOrEqual(3);
          expect(times[2]! - times[1]!).toBe(60_000);
        }
      } finally {
        vi.useRealTimers();
      }
    });

    it('runs at most startConcurrency first checks at once on start, and every one of them before resolving', async () => {
      const { monitor } = harness({ startConcurrency: 3 });
      let running = 0;
      let most = 0;
      for (let i = 0; i < 10; i++) {
        monitor.register(
          probe(`p${i}`, async () => {
            most = Math.max(most, ++running);
            await sleep(5);
            running--;
            return { status: 'pass' };
          }),
        );
      }
      await monitor.start();
      expect(most).toBe(3);
      expect(monitor.list().every((state) => state.status === 'pass')).toBe(true);
    });

    it('starts scheduling a probe registered while running', async () => {
      const { monitor } = harness();
      await monitor.start();
      const p = scriptedProbe('late', { intervalMs: 10 });
      monitor.register(p.definition);
      await vi.waitFor(() => expect(monitor.get('late')?.status).toBe('pass'), { timeout: 5_000 });
    });

    it('joins a run in progress instead of starting another', async () => {
      const { monitor } = harness();
      const gate = deferred();
      let calls = 0;
      monitor.register(probe('a', async () => (calls++, await gate.promise, { status: 'pass' })));
      const first = monitor.runNow('a');
      const second = monitor.runNow('a');
      expect(second).toBe(first);
      gate.resolve();
      await Promise.all([first, second]);
      expect(calls).toBe(1);
    });

    it('stop() waits for a run in progress', async () => {
      const { monitor } = harness();
      const gate = deferred();
      monitor.register(probe('a', async () => (await gate.promise, { status: 'pass' })));
      const run = monitor.runNow('a')!;
      let stopped = false;
      const stopping = monitor.stop().then(() => (stopped = true));
      await sleep(10);
      expect(stopped).toBe(false);
      gate.resolve();
      await stopping;
      expect((await run).status).toBe('pass');
    });
  });

  describe('timeouts', () => {
    it('fails a hung check at its timeout and aborts its signal', async () => {
      const { monitor } = harness();
      let seen: AbortSignal | undefined;
      monitor.register(probe('hung', ({ signal }) => ((seen = signal), new Promise<never>(() => {})), { timeoutMs: 30 }));
      const state = await monitor.runNow('hung');
      expect(state).toMatchObject({ status: 'fail', output: 'check timed out after 30 ms' });
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBeInstanceOf(ProbeTimeoutError);
    });

    it('uses the default timeout when the probe sets none', async () => {
      const { monitor } = harness({ defaultTimeoutMs: 25 });
      monitor.register(probe('hung', () => new Promise<never>(() => {})));
      expect((await monitor.runNow('hung'))?.output).toBe('check timed out after 25 ms');
    });

    it('never piles up calls of a check that ignores its abort signal', async () => {
      const { monitor } = harness();
      const release = deferred<ProbeResult>();
      let calls = 0;
      monitor.register(probe('stuck', async () => (calls++, calls === 1 ? release.promise : { status: 'pass' }), { timeoutMs: 20 }));
      expect((await monitor.runNow('stuck'))?.output).toBe('check timed out after 20 ms');
      for (let i = 0; i < 3; i++) {
        const state = await monitor.runNow('stuck');
        expect(state?.status).toBe('fail');
        expect(state?.output).toMatch(/^the previous check has not finished after \d+ ms \(timeout 20 ms\); not starting another$/);
      }
      expect(calls).toBe(1);
      expect(monitor.get('stuck')?.consecutiveFailures).toBe(4);

      release.resolve({ status: 'pass' });
      await sleep(0);
      expect(await monitor.runNow('stuck')).toMatchObject({ status: 'pass', consecutiveFailures: 0 });
      expect(calls).toBe(2);
    });

    it('starts the next run normally when a timed-out check honoured its signal', async () => {
      const { monitor } = harness();
      let calls = 0;
      const honouring = ({ signal }: ProbeContext) =>
        new Promise<ProbeResult>((_, reject) => {
          calls++;
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        });
      monitor.register(probe('polite', honouring, { timeoutMs: 20 }));
      await monitor.runNow('polite');
      await sleep(0);
      expect((await monitor.runNow('polite'))?.output).toBe('check timed out after 20 ms');
      expect(calls).toBe(2);
    });

    it('keeps scheduled runs of a hung check bounded: one call, every run answered', async () => {
      const { monitor } = harness();
      let calls = 0;
      monitor.register(probe('hung', () => (calls++, new Promise<never>(() => {})), { timeoutMs: 10, intervalMs: 5 }));
      await monitor.start();
      await vi.waitFor(() => expect(monitor.get('hung')?.consecutiveFailures).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
      expect(calls).toBe(1);
    });
  });

  describe('transitions', () => {
    it("publishes 'health.transition' for every change of status and only then", async () => {
      const { monitor, transitions, events, logs } = harness();
      const p = scriptedProbe('db', { critical: true, componentType: 'datastore' });
      monitor.register(p.definition);
      await monitor.runNow('db');
      await monitor.runNow('db');
      p.fail('down');
      await monitor.runNow('db');
      await monitor.runNow('db');
      p.result({ status: 'warn', output: 'slow' });
      await monitor.runNow('db');
      p.pass();
      await monitor.runNow('db');
      expect(transitions.map((t) => [t.from, t.to, t.output])).toEqual([
        [undefined, 'pass', undefined],
        ['pass', 'fail', 'down'],
        ['fail', 'warn', 'slow'],
        ['warn', 'pass', undefined],
      ]);
      expect(transitions[1]).toMatchObject({ component: 'db', componentType: 'datastore', critical: true, at: expect.any(Date) });
      expect(events.filter((e) => e.kind === 'transition').map((e) => e.to)).toEqual(['pass', 'fail', 'warn', 'pass']);
      expect(logs.find((l) => l.msg === 'health of db: pass → fail')).toMatchObject({ level: 40, component: 'db', to: 'fail' });
    });
  });

  describe('recovery', () => {
    it("runs the recovery action after repeated failures, logging and publishing 'health.recovery'", async () => {
      const { monitor, recoveries, logs, events } = harness({ recoveryAfterFailures: 3 });
      const run = vi.fn(async () => 'reconnected');
      const p = scriptedProbe('db', { recover: { action: 'reconnect', run } });
      monitor.register(p.definition);
      p.fail('down');
      await monitor.runNow('db');
      await monitor.runNow('db');
      expect(run).not.toHaveBeenCalled();
      await monitor.runNow('db');
      expect(run).toHaveBeenCalledTimes(1);
      expect(recoveries).toEqual([
        { component: 'db', scope: SYSTEM_SCOPE, action: 'reconnect', outcome: 'succeeded', detail: 'reconnected', at: expect.any(Date) },
      ]);
      expect(logs.find((l) => l.msg === 'recovery action "reconnect" for db succeeded')).toMatchObject({
        level: 30,
        action: 'reconnect',
        outcome: 'succeeded',
        consecutiveFailures: 3,
      });
      expect(events.find((e) => e.kind === 'recovery')).toMatchObject({
        component: 'db',
        output: 'reconnected',
        details: { action: 'reconnect', outcome: 'succeeded' },
      });

      // Still failing: it tries again after the next run of failures, not on every one.
      await monitor.runNow('db');
      await monitor.runNow('db');
      expect(run).toHaveBeenCalledTimes(1);
      await monitor.runNow('db');
      expect(run).toHaveBeenCalledTimes(2);
    });

    it('does not run recovery for warnings or when the component recovers in between', async () => {
      const { monitor } = harness({ recoveryAfterFailures: 2 });
      const run = vi.fn(async () => 'done');
      const p = scriptedProbe('x', { recover: { action: 'reset', run } });
      monitor.register(p.definition);
      p.fail();
      await monitor.runNow('x');
      p.pass();
      await monitor.runNow('x');
      p.fail();
      await monitor.runNow('x');
      p.result({ status: 'warn' });
      await monitor.runNow('x');
      await monitor.runNow('x');
      expect(run).not.toHaveBeenCalled();
    });

    it('reports a recovery action that throws as failed, logged as an error', async () => {
      const { monitor, recoveries, logs } = harness({ recoveryAfterFailures: 1 });
      const p = scriptedProbe('x', {
        recover: {
          action: 'restart',
          run: async () => {
            throw new Error('permission denied');
          },
        },
      });
      monitor.register(p.definition);
      p.fail();
      await monitor.runNow('x');
      expect(recoveries).toEqual([expect.objectContaining({ component: 'x', action: 'restart', outcome: 'failed', detail: 'permission denied' })]);
      expect(logs.find((l) => l.msg === 'recovery action "restart" for x failed')?.level).toBe(50);
    });

    it('bounds a hung recovery action by the timeout and never starts a second one while it hangs', async () => {
      const { monitor, recoveries } = harness({ recoveryAfterFailures: 1 });
      let calls = 0;
      const p = scriptedProbe('x', { timeoutMs: 20, recover: { action: 'reset', run: () => (calls++, new Promise<never>(() => {})) } });
      monitor.register(p.definition);
      p.fail();
      await monitor.runNow('x');
      await monitor.runNow('x');
      expect(calls).toBe(1);
      expect(recoveries.map((r) => [r.outcome, r.detail])).toEqual([
        ['failed', 'check timed out after 20 ms'],
        ['failed', expect.stringMatching(/^the previous recovery action has not finished after \d+ ms; not starting another$/)],
      ]);
    });
  });

  describe('performance degradation', () => {
    it('warns, saying so, when latency stays above factor × its own baseline, and clears when it recovers', async () => {
      const { monitor, transitions } = harness({ degradationFactor: 3 });
      let delayMs = 0;
      monitor.register(probe('api', async () => (delayMs > 0 && (await sleep(delayMs)), { status: 'pass' })));
      for (let i = 0; i < 30; i++) expect((await monitor.runNow('api'))?.status).toBe('pass');

      delayMs = 40;
      let state;
      for (let i = 0; i < 10; i++) state = await monitor.runNow('api');
      expect(state?.status).toBe('warn');
      const degraded = /^latency degraded: p95 \d+\.\d ms over the last 10 checks is \d+\.\d× the baseline p95 of \d+\.\d ms$/;
      expect(state?.output).toMatch(degraded);
      expect(state?.degradation).toBe(state?.output);
      expect(transitions.at(-1)).toMatchObject({ from: 'pass', to: 'warn', output: expect.stringMatching(degraded) });

      delayMs = 0;
      for (let i = 0; i < 10; i++) state = await monitor.runNow('api');
      expect(state).toMatchObject({ status: 'pass', degradation: undefined });
    });

    it('does not count failed runs as latency samples', async () => {
      const { monitor } = harness();
      let mode: 'fast' | 'hang' = 'fast';
      monitor.register(
        probe(
          'x',
          async ({ signal }) => {
            if (mode === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
            return { status: 'pass' };
          },
          { timeoutMs: 30 },
        ),
      );
      for (let i = 0; i < 30; i++) await monitor.runNow('x');
      mode = 'hang';
      for (let i = 0; i < 10; i++) await monitor.runNow('x');
      mode = 'fast';
      expect(await monitor.runNow('x')).toMatchObject({ status: 'pass', degradation: undefined });
    });
  });
});

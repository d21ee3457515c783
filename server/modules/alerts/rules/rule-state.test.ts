import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRule, RESOLVED_RETENTION_MS, type RuleLifecycle, type RuleState, type Transition } from './rule-state.ts';
import type { SourceResult } from './sources/alert-source.ts';

const fingerprint = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const rule = (overrides: Partial<RuleLifecycle> = {}): RuleLifecycle => ({
  name: 'DiskFull',
  for: 60_000,
  keepFiringFor: 0,
  labels: { severity: 'warning', team: 'ops' },
  annotations: { summary: '{{ $labels.instance }} at {{ $value | humanizePercentage }}' },
  ...overrides,
});
const holds = (...instances: Array<string | [string, number]>): SourceResult => ({
  kind: 'ok',
  samples: instances.map((i) => (typeof i === 'string' ? { labels: { instance: i }, value: 0.95 } : { labels: { instance: i[0] }, value: i[1] })),
});
const clear: SourceResult = { kind: 'ok', samples: [] };

/** Evaluates a sequence of (seconds, result) and gathers every transition. */
function run(steps: Array<[number, SourceResult]>, lifecycle = rule(), start?: RuleState) {
  let state = start;
  const transitions: Transition[] = [];
  for (const [seconds, result] of steps) {
    const out = evaluateRule({ previous: state, result, rule: lifecycle, now: at(seconds), fingerprint });
    state = out.state;
    transitions.push(...out.transitions);
  }
  return { state: state!, transitions, moves: transitions.map((t) => `${t.from}→${t.to}@${(t.at.getTime() - T0) / 1000}`) };
}
const only = (state: RuleState) => Object.values(state.series)[0];

describe('the alert lifecycle of a rule', () => {
  it('labels an alert with its sample labels, the rule labels, alertname and severity, and renders its annotations', () => {
    const { state } = run([[0, holds(['db-1', 0.93])]]);
    expect(only(state)).toMatchObject({
      labels: { instance: 'db-1', team: 'ops', severity: 'warning', alertname: 'DiskFull' },
      annotations: { summary: 'db-1 at 93%' },
      state: 'pending',
      value: 0.93,
    });
  });

  it('holds a new alert pending until its condition has held for `for`, then fires', () => {
    const { moves, state } = run([
      [0, holds('a')],
      [30, holds('a')],
      [60, holds('a')],
      [90, holds('a')],
    ]);
    expect(moves).toEqual(['inactive→pending@0', 'pending→firing@60']);
    expect(only(state)).toMatchObject({ state: 'firing', activeAt: at(0), firedAt: at(60) });
  });

  it('fires at the first evaluation when `for` is 0', () => {
    expect(run([[0, holds('a')]], rule({ for: 0 })).moves).toEqual(['inactive→firing@0']);
  });

  it('returns a pending alert whose condition clears to inactive without firing', () => {
    const { moves, state } = run([
      [0, holds('a')],
      [30, clear],
      [60, holds('a')],
    ]);
    expect(moves).toEqual(['inactive→pending@0', 'pending→inactive@30', 'inactive→pending@60']);
    expect(only(state)).toMatchObject({ state: 'pending', activeAt: at(60) });
  });

  it('resolves a firing alert at the first evaluation its condition no longer holds', () => {
    const { moves, state } = run([
      [0, holds('a')],
      [60, holds('a')],
      [120, clear],
    ]);
    expect(moves).toEqual(['inactive→pending@0', 'pending→firing@60', 'firing→resolved@120']);
    expect(only(state)).toMatchObject({ state: 'resolved', resolvedAt: at(120) });
  });

  it('keeps a firing alert firing for keepFiringFor after its condition clears', () => {
    const lifecycle = rule({ for: 0, keepFiringFor: 120_000 });
    const { moves } = run(
      [
        [0, holds('a')],
        [60, clear],
        [119, clear],
        [120, clear],
      ],
      lifecycle,
    );
    expect(moves).toEqual(['inactive→firing@0', 'firing→resolved@120']);
    // The condition back within keepFiringFor: the same alert goes on, no new transition.
    expect(
      run(
        [
          [0, holds('a')],
          [60, clear],
          [90, holds('a')],
          [200, clear],
          [320, clear],
        ],
        lifecycle,
      ).moves,
    ).toEqual(['inactive→firing@0', 'firing→resolved@320']);
  });

  it('starts a new pending alert when a resolved one holds again', () => {
    const { moves, state } = run([
      [0, holds('a')],
      [60, holds('a')],
      [120, clear],
      [180, holds('a')],
    ]);
    expect(moves.at(-1)).toBe('resolved→pending@180');
    expect(only(state)).toMatchObject({ state: 'pending', activeAt: at(180), firedAt: undefined, resolvedAt: undefined });
  });

  it('keeps a resolved alert for 15 minutes, then drops it', () => {
    const base: Array<[number, SourceResult]> = [
      [0, holds('a')],
      [60, holds('a')],
      [120, clear],
    ];
    const resolvedAt = 120;
    expect(run([...base, [resolvedAt + RESOLVED_RETENTION_MS / 1000 - 1, clear]]).state.series).not.toEqual({});
    const dropped = run([...base, [resolvedAt + RESOLVED_RETENTION_MS / 1000, clear]]);
    expect(dropped.state.series).toEqual({});
    expect(dropped.moves).toHaveLength(3);
  });

  it('tracks each label set as its own alert', () => {
    const { state, moves } = run([
      [0, holds('a')],
      [30, holds('a', 'b')],
      [60, holds('b')],
      [90, holds('b')],
    ]);
    expect(moves).toEqual(['inactive→pending@0', 'inactive→pending@30', 'pending→inactive@60', 'pending→firing@90']);
    expect(Object.values(state.series).map((s) => [s.labels.instance, s.state])).toEqual([['b', 'firing']]);
  });

  it('renders the annotations again at each evaluation with the new value', () => {
    const { state } = run([
      [0, holds(['a', 0.91])],
      [30, holds(['a', 0.97])],
    ]);
    expect(only(state)).toMatchObject({ value: 0.97, annotations: { summary: 'a at 97%' } });
  });

  it('puts the rule in no-data or error with its message and leaves every alert as it was', () => {
    const firing = run([
      [0, holds('a')],
      [60, holds('a')],
    ]).state;
    for (const result of [
      { kind: 'no-data', reason: 'no component named "x"' },
      { kind: 'error', message: 'connection refused' },
    ] as SourceResult[]) {
      const out = evaluateRule({ previous: firing, result, rule: rule(), now: at(600), fingerprint });
      expect(out.state).toMatchObject({
        health: result.kind,
        message: result.kind === 'no-data' ? result.reason : result.kind === 'error' ? result.message : '',
      });
      expect(out.state.series).toEqual(firing.series);
      expect(out.transitions).toEqual([]);
      expect(out.healthChanged).toBe(true);
      // Back to ok: the alert goes on from where it was, with no new activeAt.
      const back = evaluateRule({ previous: out.state, result: holds('a'), rule: rule(), now: at(660), fingerprint });
      expect(back).toMatchObject({ healthChanged: true, transitions: [], state: { health: 'ok', message: undefined } });
      expect(only(back.state)).toMatchObject({ state: 'firing', activeAt: at(0) });
    }
  });

  it('does not fire a pending alert while the rule answers errors, even past `for`', () => {
    const { state, moves } = run([
      [0, holds('a')],
      [60, { kind: 'error', message: 'timeout' }],
      [120, { kind: 'error', message: 'timeout' }],
    ]);
    expect(moves).toEqual(['inactive→pending@0']);
    expect(only(state)?.state).toBe('pending');
  });

  it('treats two samples with one label set as one alert', () => {
    expect(run([[0, holds(['a', 1], ['a', 2])]]).state.series).toEqual({
      [fingerprint({ instance: 'a', severity: 'warning', team: 'ops', alertname: 'DiskFull' })]: expect.objectContaining({ value: 1 }),
    });
  });

  describe('properties', () => {
    const schedule = fc.record({
      forMs: fc.integer({ min: 0, max: 300_000 }),
      keepMs: fc.integer({ min: 0, max: 300_000 }),
      steps: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 120_000 }), result: fc.constantFrom<'true' | 'false' | 'error'>('true', 'false', 'error') }), {
        maxLength: 60,
      }),
    });
    const play = (forMs: number, keepMs: number, steps: Array<{ gap: number; result: 'true' | 'false' | 'error' }>) => {
      let state: RuleState | undefined;
      let now = T0;
      const seen: Array<{ state: RuleState; transitions: Transition[]; now: number }> = [];
      for (const step of steps) {
        now += step.gap;
        const result = step.result === 'true' ? holds('a') : step.result === 'false' ? clear : ({ kind: 'error', message: 'x' } as const);
        const out = evaluateRule({ previous: state, result, rule: rule({ for: forMs, keepFiringFor: keepMs }), now: new Date(now), fingerprint });
        state = out.state;
        seen.push({ ...out, now });
      }
      return seen;
    };

    it('never fires an alert before its condition has held for `for`', () => {
      fc.assert(
        fc.property(schedule, ({ forMs, keepMs, steps }) => {
          for (const { state } of play(forMs, keepMs, steps)) {
            for (const s of Object.values(state.series)) {
              if (s.state === 'firing') expect(s.firedAt!.getTime() - s.activeAt.getTime()).toBeGreaterThanOrEqual(forMs);
            }
          }
        }),
      );
    });

    it('fires a condition that stays true exactly once, and only once `for` has elapsed', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 600_000 }), fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 50 }), (forMs, gaps) => {
          const seen = play(
            forMs,
            0,
            gaps.map((gap) => ({ gap, result: 'true' })),
          );
          const fired = seen.flatMap(({ transitions }) => transitions).filter((t) => t.to === 'firing');
          const first = seen[0]!.now;
          const last = seen.at(-1)!.now;
          expect(fired.length).toBe(last - first >= forMs ? 1 : 0);
          if (fired[0]) expect(fired[0].at.getTime() - first).toBeGreaterThanOrEqual(forMs);
        }),
      );
    });

    it('moves each series only along the lifecycle’s edges, and never on an error', () => {
      const edges = new Set([
        'inactive→pending',
        'inactive→firing',
        'pending→firing',
        'pending→inactive',
        'firing→resolved',
        'resolved→pending',
        'resolved→firing',
      ]);
      fc.assert(
        fc.property(schedule, ({ forMs, keepMs, steps }) => {
          const seen = play(forMs, keepMs, steps);
          seen.forEach(({ transitions }, i) => {
            for (const t of transitions) expect(edges).toContain(`${t.from}→${t.to}`);
            if (steps[i]!.result === 'error') expect(transitions).toEqual([]);
          });
        }),
      );
    });
  });
});

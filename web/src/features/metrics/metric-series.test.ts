import { describe, expect, it } from 'vitest';
import { alignLines, describeLine, nameByInstance, shareOf, type MetricLine } from './metric-series.ts';

const line = (name: string, points: [number, number][], labels: Record<string, string> = { instance: 'a' }): MetricLine => ({ name, labels, points });

describe('alignLines', () => {
  it('puts every line on the times any of them has, null where one has no point', () => {
    expect(
      alignLines([
        line('x', [
          [10, 1],
          [20, 2],
        ]),
        line('y', [
          [20, 5],
          [30, 6],
        ]),
      ]),
    ).toEqual({
      times: [10, 20, 30],
      values: [
        [1, 2, null],
        [null, 5, 6],
      ],
    });
  });
});

describe('nameByInstance', () => {
  it('adds the instance to the names only when there are several', () => {
    expect(nameByInstance([line('p95', [])]).map((l) => l.name)).toEqual(['p95']);
    expect(nameByInstance([line('p95', []), line('p95', [], { instance: 'b' })]).map((l) => l.name)).toEqual(['p95 (a)', 'p95 (b)']);
  });
});

describe('shareOf', () => {
  it('is the part’s share of the instance’s total at each time, and nothing where there was no traffic', () => {
    const lines = [
      line(
        '2xx',
        [
          [10, 9],
          [20, 0],
          [30, 3],
        ],
        { instance: 'a', status_class: '2xx' },
      ),
      line(
        '5xx',
        [
          [10, 1],
          [20, 0],
          [30, 1],
        ],
        { instance: 'a', status_class: '5xx' },
      ),
    ];
    expect(shareOf(lines, (l) => l.labels.status_class === '5xx', 'errors')).toEqual([
      {
        name: 'errors',
        labels: { instance: 'a' },
        points: [
          [10, 0.1],
          [30, 0.25],
        ],
      },
    ]);
  });
});

describe('describeLine', () => {
  it('says the latest, lowest and highest value in the unit', () => {
    expect(
      describeLine(
        line('hit ratio', [
          [1, 0.5],
          [2, 0.9],
          [3, 0.8],
        ]),
        'ratio',
      ),
    ).toBe('hit ratio: latest 80 %, lowest 50 %, highest 90 %');
    expect(describeLine(line('keys', []), 'count')).toBe('keys: no data');
  });
});

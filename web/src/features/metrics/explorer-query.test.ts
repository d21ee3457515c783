import { describe, expect, it } from 'vitest';
import { explorerChart, explorerParams, parseExplorerQuery, seriesName } from './explorer-query.ts';

const parse = (query: string) => parseExplorerQuery(new URLSearchParams(query));

describe('parseExplorerQuery', () => {
  it('reads the metric, its matchers (as the API spells them and as the form sends them) and the aggregation', () => {
    expect(parse('metric=shop_orders&match=region=eu&match.tier=gold&match.empty=&aggregation=max')).toEqual({
      metric: 'shop_orders',
      match: { region: 'eu', tier: 'gold' },
      aggregation: 'max',
    });
  });

  it('keeps a value that holds "=" whole', () => {
    expect(parse('metric=m&match=query=a=b').match).toEqual({ query: 'a=b' });
  });

  it('leaves out what is not a metric, a label or an aggregation', () => {
    expect(parse('metric=no spaces&match=1bad=x&match=novalue&aggregation=median')).toEqual({ metric: undefined, match: {}, aggregation: 'avg' });
  });
});

describe('explorerParams', () => {
  it('writes the query back as the API spells it, the default aggregation left out', () => {
    expect(explorerParams({ metric: 'm', match: { a: 'x' }, aggregation: 'avg' }).toString()).toBe('metric=m&match=a%3Dx');
    expect(explorerParams(parse(explorerParams({ metric: 'm', match: { a: 'x=y' }, aggregation: 'last' }).toString()))).toEqual(
      explorerParams({ metric: 'm', match: { a: 'x=y' }, aggregation: 'last' }),
    );
  });
});

describe('explorerChart', () => {
  it('names series by their labels but the instance, and reads the unit from the name', () => {
    expect(seriesName('m', { instance: 'a:1', action: 'sign-in' })).toBe('action="sign-in"');
    expect(seriesName('m', { instance: 'a:1' })).toBe('m');
    const chart = explorerChart({ metric: 'watchkeeper_cache_memory_used_bytes', match: {}, aggregation: 'max' });
    expect(chart).toMatchObject({ unit: 'bytes', aggregation: 'max', title: 'watchkeeper_cache_memory_used_bytes' });
  });
});

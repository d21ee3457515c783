import { describe, expect, it } from 'vitest';
import { SerializedBlocks } from './serialized-blocks.ts';

interface Item {
  name: string;
  value: number;
  revision: number;
}

function setup(blockSize = 2) {
  let calls = 0;
  const blocks = new SerializedBlocks<Item>({
    blockSize,
    revisionOf: (item) => item.revision,
    serialize: (item) => (calls++, JSON.stringify(item)),
  });
  const read = (items: Item[]) => JSON.parse(`[${blocks.join(items).toString('utf8')}]`) as Item[];
  return { read, calls: () => calls };
}

const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ name: `item-${i}`, value: i, revision: 1 }));

describe('SerializedBlocks', () => {
  it('joins every item, in order, whatever the blocks', () => {
    const { read } = setup(3);
    const list = items(7);
    expect(read(list)).toEqual(list);
    expect(read([])).toEqual([]);
    // Items removed and added shift the blocks: still every item, in order.
    const changed = [list[0]!, list[2]!, ...items(9).slice(7), list[6]!];
    expect(read(changed)).toEqual(changed);
  });

  it('serializes an item again only once its revision changed', () => {
    const { read, calls } = setup();
    const list = items(6);
    read(list);
    expect(calls()).toBe(6);
    list[3]!.value = 30; // changed without a new revision: the kept JSON is used
    expect(read(list)[3]!.value).toBe(3);
    expect(calls()).toBe(6);
    list[3]!.revision++;
    expect(read(list)[3]!.value).toBe(30);
    expect(calls()).toBe(7);
  });
});

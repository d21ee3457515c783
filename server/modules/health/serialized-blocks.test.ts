import { gunzipSync } from 'node:zlib';
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
  return { blocks, read, calls: () => calls };
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

  it('gzips to the very bytes join gives between the head and the tail, as the blocks change', () => {
    const { blocks } = setup(3);
    const head = Buffer.from('{"items":[');
    const tail = Buffer.from(']}');
    const plain = (list: Item[]) => Buffer.concat([head, blocks.join(list), tail]).toString('utf8');
    const gunzipped = (list: Item[]) => gunzipSync(blocks.gzip(list, head, tail)).toString('utf8');
    const list = items(8);
    expect(gunzipped(list)).toBe(plain(list));
    expect(JSON.parse(gunzipped(list))).toEqual({ items: list });
    // A changed item, items gone and added, a non-ASCII one, and none at all.
    list[4] = { ...list[4]!, name: 'changé ✓', revision: 2 };
    const changed = [...list.slice(0, 2), ...list.slice(3), ...items(11).slice(8)];
    expect(gunzipped(changed)).toBe(plain(changed));
    expect(gunzipped([])).toBe('{"items":[]}');
  });
});

/**
 * JSON for long lists that change a few items at a time (10,000 components, some changing every
 * few milliseconds): each item's JSON is kept until its revision changes, and runs of items are
 * kept as UTF-8 blocks, so a request re-encodes only the blocks holding a changed item and copies
 * the rest. Building and encoding a whole 9 MiB report per request took ~60 ms of CPU.
 *
 * The same blocks can be sent gzipped (`gzip`): each block is deflated once, when it is built,
 * on its own and ending on a byte boundary (a sync flush), so the deflated blocks of a request
 * concatenate into one deflate stream; only the request's own head and tail are compressed per
 * request, and the gzip trailer's CRC-32 is run over the plain blocks (~2 ms for 7 MiB). At
 * 10,000 components that is ~15× fewer bytes for the socket and the client, for ~0.2 ms of CPU per
 * block that changed since the last request.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface SerializedBlocksOptions<T extends object> {
  /** Changes whenever the item's JSON would (a revision unique across items is safest). */
  revisionOf: (item: T) => number;
  /** The item's JSON, e.g. an object literal or the members of one without their braces. */
  serialize: (item: T) => string;
  blockSize?: number;
}

interface Block<T> {
  items: T[];
  revisions: number[];
  bytes: Buffer;
  /** `bytes` deflated (raw, sync-flushed), made the first time a gzipped body needs it. */
  deflated?: Buffer;
}

const COMMA = Buffer.from(',');
/** Fastest level: the blocks hold repetitive JSON, level 6 saves ~3% more for 3× the CPU. */
const deflatePart = (bytes: Buffer) => deflateRawSync(bytes, { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_SYNC_FLUSH });
const DEFLATED_COMMA = deflatePart(COMMA);
/** ID1 ID2, deflate, no flags, no mtime, no extra flags, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

export class SerializedBlocks<T extends object> {
  readonly #pieces = new WeakMap<T, { revision: number; json: string }>();
  #blocks: Block<T>[] = [];
  readonly #revisionOf: (item: T) => number;
  readonly #serialize: (item: T) => string;
  readonly #blockSize: number;

  constructor({ revisionOf, serialize, blockSize = 100 }: SerializedBlocksOptions<T>) {
    this.#revisionOf = revisionOf;
    this.#serialize = serialize;
    this.#blockSize = blockSize;
  }

  #piece(item: T, revision: number): string {
    let piece = this.#pieces.get(item);
    if (piece?.revision !== revision) {
      piece = { revision, json: this.#serialize(item) };
      this.#pieces.set(item, piece);
    }
    return piece.json;
  }

  /** The blocks for `items`: those whose items and revisions are unchanged are the kept ones. */
  #update(items: readonly T[]): Block<T>[] {
    const blocks: Block<T>[] = [];
    for (let start = 0; start < items.length; start += this.#blockSize) {
      const slice = items.slice(start, start + this.#blockSize);
      const revisions = slice.map(this.#revisionOf);
      const kept = this.#blocks[blocks.length];
      const same = kept?.items.length === slice.length && slice.every((item, i) => kept.items[i] === item && kept.revisions[i] === revisions[i]);
      blocks.push(same ? kept : { items: slice, revisions, bytes: Buffer.from(slice.map((item, i) => this.#piece(item, revisions[i]!)).join(',')) });
    }
    this.#blocks = blocks;
    return blocks;
  }

  /** The items' JSON pieces joined by commas, as UTF-8. */
  join(items: readonly T[]): Buffer {
    const parts: Buffer[] = [];
    for (const block of this.#update(items)) {
      if (parts.length > 0) parts.push(COMMA);
      parts.push(block.bytes);
    }
    return Buffer.concat(parts);
  }

  /**
   * `head`, the items' JSON pieces joined by commas, and `tail`, as one gzip member: the bytes of
   * `gunzip(gzip(items, head, tail))` are those of `head + join(items) + tail`.
   */
  gzip(items: readonly T[], head: Buffer, tail: Buffer): Buffer {
    const parts: Buffer[] = [GZIP_HEADER, deflatePart(head)];
    let crc = crc32(head);
    let length = head.length + tail.length;
    let first = true;
    for (const block of this.#update(items)) {
      if (!first) {
        parts.push(DEFLATED_COMMA);
        crc = crc32(COMMA, crc);
        length += 1;
      }
      first = false;
      block.deflated ??= deflatePart(block.bytes);
      parts.push(block.deflated);
      crc = crc32(block.bytes, crc);
      length += block.bytes.length;
    }
    // The last part ends the stream (a final block); the trailer is the CRC-32 and length mod 2³².
    parts.push(deflateRawSync(tail, { level: constants.Z_BEST_SPEED }));
    crc = crc32(tail, crc);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    parts.push(trailer);
    return Buffer.concat(parts);
  }
}

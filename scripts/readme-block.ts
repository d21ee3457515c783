/**
 * A block of README.md between two markers that a script generates (the configuration table, the
 * error codes): read it for the tests that hold it against its source, write it with `--write`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const README = new URL('../README.md', import.meta.url);

export interface ReadmeBlock {
  start: string;
  end: string;
}

/** A markdown table of plain-text cells (pipes escaped, line breaks flattened). */
export function markdownTable(rows: string[][]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return rows.map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n');
}

/** The block as it currently stands in `readme`, or undefined when its markers are missing. */
export function readBlock(readme: string, { start, end }: ReadmeBlock): string | undefined {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) return undefined;
  return readme.slice(from + start.length, to).trim();
}

/** Replaces the block in README.md with `content`. */
export function writeBlock(block: ReadmeBlock, content: string): void {
  const readme = readFileSync(README, 'utf8');
  if (readBlock(readme, block) === undefined) throw new Error(`README.md has no ${block.start} … ${block.end} block`);
  const from = readme.indexOf(block.start) + block.start.length;
  const to = readme.indexOf(block.end);
  writeFileSync(README, `${readme.slice(0, from)}\n${content}\n${readme.slice(to)}`);
}

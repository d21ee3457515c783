/**
 * Memory of a process and everything it started (the server and its embedded PostgreSQL's
 * postmaster and backends), read from /proc (Linux).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  command: string;
  rssBytes: number;
  /** Proportional set size: shared pages (PostgreSQL's shared buffers) divided among the processes mapping them. */
  pssBytes: number;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited while we looked
  }
}

/** `root` and its descendants, found through each process's parent pid. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  for (const queue = [root]; queue.length;) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function kilobytes(text: string, field: 'VmRSS' | 'Pss'): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${field}:`));
  return Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

export function processMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 2).join(' ');
    return { pid, command, rssBytes: kilobytes(status, 'VmRSS'), pssBytes: kilobytes(rollup, 'Pss') };
  } catch {
    return undefined;
  }
}

export function treeMemory(root: number): ProcessMemory[] {
  return processTree(root)
    .map(processMemory)
    .filter((memory): memory is ProcessMemory => memory !== undefined);
}

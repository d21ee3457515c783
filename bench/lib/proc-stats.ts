/** CPU time and resident memory of a process, read from /proc (Linux), for a window's before/after. */
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux ABI Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcSample {
  cpuMicros: number;
  rssBytes: number;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  return { cpuMicros: (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND, rssBytes: rssKb * 1024 };
}

/**
 * The lock that keeps two Watchkeepers off one data directory, without ever refusing the restart
 * that follows a crash.
 *
 * The lock file records who holds it: pid, the process's start time (/proc/<pid>/stat) and the
 * boot id. A holder counts only while that very process still runs: the same pid started at the
 * same moment in the same boot. So a lock left by a SIGKILL or an OOM kill is stale even when its
 * pid is alive again — in a container Watchkeeper is pid 1 every time, and a reused pid belongs to
 * a process started later. A lock naming this process's own pid is stale too (it can only be a
 * previous incarnation), unless this process really holds it, which `held` remembers.
 *
 * Not proper-lockfile: its staleness is an mtime older than `stale` (≥ 2 s, default 10 s), so a
 * restart within that window is refused (or must wait it out), and a stalled event loop
 * "compromises" a lock that is still rightly held. Not flock: Node has no binding for it.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

interface LockOwner {
  pid: number;
  /** Clock ticks since boot when the process started; absent in locks written before it was recorded. */
  startTime?: string;
  bootId?: string;
}

/** Lock files this process holds (a second start in the same process is refused, not mistaken for stale). */
const held = new Set<string>();

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function processStartTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  // Field 3 (state) comes first there, so field 22 (starttime) is the 20th.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim();

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) }; // written by an earlier version
  try {
    const owner = JSON.parse(trimmed) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined;
  } catch {
    return undefined; // a torn write of a crashed process
  }
}

/** Whether the recorded owner is a process that runs now and is not this one. */
function isHeld(owner: LockOwner | undefined): owner is LockOwner {
  if (!owner || owner.pid === process.pid || !isAlive(owner.pid)) return false;
  const currentBoot = bootId();
  if (owner.bootId && currentBoot && owner.bootId !== currentBoot) return false;
  if (owner.startTime) {
    const started = processStartTime(owner.pid);
    return started === undefined || started === owner.startTime;
  }
  // An old-format lock only knows the pid: held if that pid is some Node process still.
  const commandLine = readProc(`/proc/${owner.pid}/cmdline`);
  return commandLine === undefined || /node|watchkeeper/.test(commandLine);
}

/** Takes the lock or throws EmbeddedPostgresError naming the holder; returns the release function. */
export function acquireDataDirLock(lockFile: string): () => void {
  if (held.has(lockFile)) {
    throw new EmbeddedPostgresError(
      `the data directory is in use by another Watchkeeper (pid ${process.pid}, lock ${lockFile}); stop it or use another DATA_DIR`,
    );
  }
  const record: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid), bootId: bootId() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(record));
      } finally {
        closeSync(fd);
      }
      held.add(lockFile);
      return () => {
        held.delete(lockFile);
        rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = parseOwner(readProc(lockFile) ?? '');
      if (isHeld(owner)) {
        throw new EmbeddedPostgresError(
          `the data directory is in use by another Watchkeeper (pid ${owner.pid}, lock ${lockFile}); stop it or use another DATA_DIR`,
        );
      }
      rmSync(lockFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new EmbeddedPostgresError(`could not acquire ${lockFile}`);
}

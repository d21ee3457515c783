/**
 * The server's heap as only the inside can tell it, through the V8 inspector (the subject started
 * with `--inspect=127.0.0.1:<port>`): the live heap after a full collection, which, unlike
 * heapUsed sampled at whatever moment, does not move with the collector's rhythm; and a sampling
 * heap profile of what was allocated since sampling began and is still alive, by allocation site,
 * which names what grows if something does.
 */
import { WebSocket } from 'undici';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

export interface RetainedSite {
  /** The allocating function and its two callers, innermost first. */
  stack: string;
  bytes: number;
}

export interface HeapInspector {
  /** Collects garbage (a full, blocking collection) and answers the heap used then, in bytes. */
  liveHeapBytes(): Promise<number>;
  /** Starts sampling allocations (one sample per `intervalBytes` allocated, on average). */
  startSampling(intervalBytes?: number): Promise<void>;
  /** After a full collection: the allocation sites of the sampled objects still alive, largest first (all by default). */
  retainedSites(count?: number): Promise<RetainedSite[]>;
  /** Starts the CPU profiler (to be limited to a load window, unlike `--cpu-prof`). */
  startProfiling(): Promise<void>;
  /** Stops it: the profile, as a `.cpuprofile` file holds it. */
  stopProfiling(): Promise<CpuProfile>;
  close(): void;
}

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** The sites whose live sampled bytes grew from `before` to `after`, most first. */
export function grownSites(before: readonly RetainedSite[], after: readonly RetainedSite[]): RetainedSite[] {
  const was = new Map(before.map((site) => [site.stack, site.bytes]));
  return after
    .map(({ stack, bytes }) => ({ stack, bytes: bytes - (was.get(stack) ?? 0) }))
    .filter((site) => site.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** The functions with the most self time in a profile, in ms, largest first. */
export function selfTimes(profile: CpuProfile, count = 15): Array<{ frame: string; ms: number }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = frameName(byId.get(id)!.callFrame);
    totals.set(frame, (totals.get(frame) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()]
    .map(([frame, ms]) => ({ frame, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count);
}

const frameName = ({ functionName, url, lineNumber }: CallFrame) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;

export async function connectHeapInspector(port: number): Promise<HeapInspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector on port ${port}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id!);
    if (message.error) waiting.reject(new Error(message.error.message));
    else waiting.resolve(message.result);
  });
  const call = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.enable');
  return {
    async liveHeapBytes() {
      await call('HeapProfiler.collectGarbage');
      return (await call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
    },
    async startSampling(intervalBytes = 256 * 1024) {
      await call('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
    },
    async retainedSites(count = Number.POSITIVE_INFINITY) {
      await call('HeapProfiler.collectGarbage');
      const { profile } = await call<{ profile: { head: ProfileNode } }>('HeapProfiler.getSamplingProfile');
      const bySite = new Map<string, number>();
      const walk = (node: ProfileNode, callers: string[]) => {
        const frames = [frameName(node.callFrame), ...callers];
        if (node.selfSize > 0) {
          const stack = frames.slice(0, 3).join(' ← ');
          bySite.set(stack, (bySite.get(stack) ?? 0) + node.selfSize);
        }
        for (const child of node.children) walk(child, frames);
      };
      walk(profile.head, []);
      return [...bySite.entries()]
        .map(([stack, bytes]) => ({ stack, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, count);
    },
    async startProfiling() {
      await call('Profiler.enable');
      await call('Profiler.start');
    },
    async stopProfiling() {
      return (await call<{ profile: CpuProfile }>('Profiler.stop')).profile;
    },
    close() {
      for (const { reject } of pending.values()) reject(new Error('inspector closed'));
      socket.close();
    },
  };
}

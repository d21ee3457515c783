/**
 * The byte counters Linux keeps for the network interfaces and for the block device of the data
 * volume, read from /proc and /sys (what node_exporter reads). Elsewhere, in a container without
 * /sys, or on a volume with no block device behind it (overlay, tmpfs, NFS), a counter is simply
 * absent: the sampler then records no point rather than a wrong one.
 */
import { readFile, stat } from 'node:fs/promises';

export interface HostIoCounters {
  /** Received and transmitted bytes over every interface but loopback. */
  network?: { receivedBytes: number; transmittedBytes: number };
  /** Bytes read from and written to the data volume's block device. */
  disk?: { readBytes: number; writtenBytes: number };
}

/** /sys/block/<dev>/stat counts 512-byte sectors whatever the device's own sector size. */
const SECTOR_BYTES = 512;

export async function readHostIo(dataDir: string, root = ''): Promise<HostIoCounters> {
  const [network, disk] = await Promise.all([networkBytes(root).catch(() => undefined), diskBytes(dataDir, root).catch(() => undefined)]);
  return { ...(network ? { network } : {}), ...(disk ? { disk } : {}) };
}

/** The /proc/net/dev table: after "interface:", 8 receive columns then 8 transmit columns. */
export function parseNetDev(text: string): { receivedBytes: number; transmittedBytes: number } | undefined {
  let receivedBytes = 0;
  let transmittedBytes = 0;
  let interfaces = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const columns = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === 'lo' || columns.length < 16 || columns.some((n) => !Number.isFinite(n))) continue;
    receivedBytes += columns[0]!;
    transmittedBytes += columns[8]!;
    interfaces++;
  }
  return interfaces > 0 ? { receivedBytes, transmittedBytes } : undefined;
}

/** A block device's stat line: sectors read is the 3rd field, sectors written the 7th. */
export function parseBlockStat(text: string): { readBytes: number; writtenBytes: number } | undefined {
  const fields = text.trim().split(/\s+/).map(Number);
  if (fields.length < 7 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { readBytes: fields[2]! * SECTOR_BYTES, writtenBytes: fields[6]! * SECTOR_BYTES };
}

async function networkBytes(root: string) {
  return parseNetDev(await readFile(`${root}/proc/net/dev`, 'utf8'));
}

async function diskBytes(dataDir: string, root: string) {
  const { dev } = await stat(dataDir, { bigint: true });
  // Linux's dev_t: major in bits 8–19 (and 32+), minor in bits 0–7 and 20–31.
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  // Major 0 is an anonymous device (overlay, tmpfs, btrfs subvolumes…): no block counters.
  if (major === 0) return undefined;
  return parseBlockStat(await readFile(`${root}/sys/dev/block/${major}:${minor}/stat`, 'utf8'));
}

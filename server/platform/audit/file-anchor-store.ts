/**
 * The audit anchor in a file (by default `DATA_DIR/audit-anchor.json`), replaced atomically: the
 * new anchor is written and synced to a temporary file beside it, which is then renamed over the
 * old one, so a crash leaves the old anchor or the new one, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseAnchor, type AuditAnchor, type AuditAnchorStore } from './audit-anchor.ts';

export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';

export function fileAnchorStore({ path }: { path: string }): AuditAnchorStore {
  async function read(): Promise<AuditAnchor | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${path} does not hold an audit anchor (not JSON)`);
    }
    return parseAnchor(value, path);
  }

  return {
    source: 'file',
    location: path,
    read,

    async advance(anchor) {
      // Read-compare-write is not atomic across processes; each instance has its own DATA_DIR, and
      // within one the anchor writer serialises its flushes.
      const current = await read();
      if (current && current.seq >= anchor.seq) return false;
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify({ seq: anchor.seq, hash: anchor.hash, at: anchor.at })}\n`, 'utf8');
        await handle.sync();
      } catch (error) {
        await handle.close();
        await rm(temporary, { force: true });
        throw error;
      }
      await handle.close();
      try {
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return true;
    },
  };
}

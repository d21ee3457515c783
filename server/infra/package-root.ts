/**
 * The directory of Watchkeeper's package.json. Found by walking up from this module, as Node finds
 * a module's package scope, because the sources (server/) and the build (dist/server/) sit at
 * different depths below it: a fixed `../package.json` is right for only one of them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in any directory above ${from}`);
  }
}

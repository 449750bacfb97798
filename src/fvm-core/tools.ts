import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute tool paths: /usr/sbin is not in a plain Debian user's PATH, and PATH is untrusted. */
export function findTool(name: string): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin']) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** The resources/ folder: beside dist/ when bundled, two levels up from src/fvm-core in tests. */
export function resourcesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const c of [path.join(here, '../resources'), path.join(here, '../../resources')]) {
    if (fs.existsSync(path.join(c, 'fvm-init.sh'))) return c;
  }
  throw new Error(`resources/fvm-init.sh not found near ${here}`);
}

/**
 * Host fingerprints of the paths a VM changed, taken when the engine first sees each change
 * (at start, at the end of each run, at stop). Commit compares them with the host's current
 * state: a host file that changed after the VM copied it up is a conflict, not something to
 * overwrite silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sourceDirs, type VmPaths } from './repository.js';
import { writeJsonAtomicSync } from './atomic-write.js';

export type Fingerprint = string;

export function fingerprintOf(hostPath: string): Fingerprint {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(hostPath);
  } catch {
    return 'absent';
  }
  // A directory's own mtime moves with every child; only its identity and mode matter here.
  if (st.isDirectory()) return `dir:${st.ino}:${st.mode & 0o7777}`;
  return `${st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other'}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode & 0o7777}`;
}

export function readBaseline(p: VmPaths): Record<string, Fingerprint> {
  try {
    const b = JSON.parse(fs.readFileSync(p.baseline, 'utf8'));
    return b && typeof b.entries === 'object' ? b.entries : {};
  } catch {
    return {};
  }
}

export function writeBaseline(p: VmPaths, entries: Record<string, Fingerprint>): void {
  writeJsonAtomicSync(p.baseline, { version: 1, entries });
}

/** Host paths present in the upper trees, cheaply (no xattrs): the paths worth fingerprinting. */
function upperHostPaths(fsDirs: readonly string[]): string[] {
  const out = new Set<string>();
  const stack: Array<[string, string]> = fsDirs.map((d) => [d, '']);
  while (stack.length) {
    const [dir, host] = stack.pop() as [string, string];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const h = `${host}/${e.name}`;
      out.add(h);
      if (e.isDirectory()) stack.push([path.join(dir, e.name), h]);
    }
  }
  return [...out];
}

/** Records a fingerprint for every changed path that has none yet; drops vanished ones. */
export function updateBaseline(p: VmPaths): void {
  const old = readBaseline(p);
  const paths = upperHostPaths(sourceDirs(p));
  const next: Record<string, Fingerprint> = {};
  let changed = false;
  for (const h of paths) {
    if (h in old) next[h] = old[h];
    else {
      next[h] = fingerprintOf(h);
      changed = true;
    }
  }
  if (!changed && Object.keys(old).length === paths.length) return;
  writeBaseline(p, next);
}

/** Forgets the fingerprints of these paths and takes them afresh (after commit or uncommit). */
export function refreshBaseline(p: VmPaths, paths: readonly string[]): void {
  const b = readBaseline(p);
  for (const x of paths) delete b[x];
  writeBaseline(p, b);
  updateBaseline(p);
}

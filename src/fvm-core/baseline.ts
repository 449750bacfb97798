/**
 * Host fingerprints of the paths a VM changed, taken when the engine first sees each change
 * (at start, at the end of each run, at stop). Commit compares them with the host's current
 * state: a host file that changed after the VM copied it up is a conflict, not something to
 * overwrite silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sourceDirs, type VmPaths } from './repository.js';
import { writeFileAtomicSync } from './atomic-write.js';
import { HostLookup } from './host-lookup.js';
import { lstatOrNull } from './tree-ops.js';

export type Fingerprint = string;

export function fingerprintOf(hostPath: string): Fingerprint {
  const st = lstatOrNull(hostPath);
  return st ? fingerprintOfStats(st) : 'absent';
}

function fingerprintOfStats(st: fs.Stats): Fingerprint {
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
  // Compact: a VM with 100,000 changes has as many fingerprints, read and written per commit.
  writeFileAtomicSync(p.baseline, `${JSON.stringify({ version: 1, entries })}\n`);
}

/** Host paths present in the upper trees, cheaply (no xattrs), each after its directory. */
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

/**
 * Fingerprints of many host paths, asked each after its directory: a VM that created a tree of
 * 10,000 files, or wrote them into one host directory, costs a few system calls, not 10,000.
 */
export class FingerprintReader {
  private readonly host = new HostLookup();

  of(hostPath: string): Fingerprint {
    const st = this.host.lstat(hostPath);
    return st ? fingerprintOfStats(st) : 'absent';
  }
}

/** Adds a fingerprint for every changed path that has none yet and drops vanished ones; true when `b` changed. */
function updateEntries(p: VmPaths, b: Record<string, Fingerprint>, upperPaths?: readonly string[]): boolean {
  const paths = upperPaths ?? upperHostPaths(sourceDirs(p));
  const keep = new Set(paths);
  const fps = new FingerprintReader();
  let changed = false;
  for (const h of paths) {
    if (h in b) continue;
    b[h] = fps.of(h);
    changed = true;
  }
  for (const h of Object.keys(b)) {
    if (keep.has(h)) continue;
    delete b[h];
    changed = true;
  }
  return changed;
}

/**
 * Records a fingerprint for every changed path that has none yet; drops vanished ones. Returns
 * the baseline. `upperPaths`: the host paths of the upper trees when the caller has just
 * walked them (each after its directory), else they are read here.
 */
export function updateBaseline(p: VmPaths, upperPaths?: readonly string[]): Record<string, Fingerprint> {
  const b = readBaseline(p);
  if (updateEntries(p, b, upperPaths)) writeBaseline(p, b);
  return b;
}

/**
 * Forgets the fingerprints of these paths and takes them afresh (after commit or uncommit).
 * `current`: the baseline as updateBaseline returned it under the same lock, if at hand.
 */
export function refreshBaseline(p: VmPaths, paths: readonly string[], current?: Record<string, Fingerprint>): void {
  const b = current ?? readBaseline(p);
  for (const x of paths) delete b[x];
  updateEntries(p, b);
  writeBaseline(p, b);
}

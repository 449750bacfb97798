import fs from 'node:fs';
import path from 'node:path';

/** Trees below root-owned parents that may hold user-writable directories. */
const SCAN = ['/usr', '/var', '/opt', '/etc', '/srv', '/boot', '/media', '/mnt', '/home', '/root'];

/**
 * Directories a plain user can write that sit below parents owned by other uids.
 *
 * Copy-up of a directory owned by an unmapped uid fails with EOVERFLOW, so each such directory
 * must be an overlay root of its own (launcher.md §4.1). Only the top-most of each chain is kept.
 * Computed once per VM at creation; `home` is always one.
 */
export function computeExtraRoots(uid: number, groups: readonly number[], home: string): string[] {
  const roots = new Set<string>([path.resolve(home)]);
  if (uid === 0) return [...roots];
  const writable = (st: fs.Stats): boolean =>
    st.uid === uid || (st.mode & 0o002) !== 0 || (groups.includes(st.gid) && (st.mode & 0o020) !== 0);
  const walk = (dir: string, dev: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.dev !== dev) continue; // another file system: a mount, planned separately
      if (writable(st)) {
        roots.add(p);
        continue; // prune: its own subtree copies up fine
      }
      walk(p, dev);
    }
  };
  for (const top of SCAN) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(top);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if (writable(st)) roots.add(top);
    else walk(top, st.dev);
  }
  // Keep only the top-most of nested roots.
  const sorted = [...roots].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(`${q}/`)));
}

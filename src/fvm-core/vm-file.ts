/**
 * The VM's version of one host file, read from outside the VM as overlayfs would resolve it:
 * the VM's own upper tree, then its layers (nearest first), then the host.
 *
 * Reading goes through the upper trees directly, never through the VM's mounts, so it works for
 * a stopped VM and needs no process inside. A symlink or any other non-directory on the way, in
 * an upper tree, ends the lookup as "absent": the VM controls those trees, and following its
 * links from outside could read any host file.
 */
import fs from 'node:fs';
import { isWhiteoutStat } from '../redirect/host-view.js';
import { findOpaqueDirs } from '../redirect/xattr.js';
import { upperPathOf } from '../redirect/host-path.js';
import { sourceDirs, type VmPaths } from './repository.js';
import { lstatOrNull } from './tree-ops.js';

export type VmFile =
  | { readonly where: 'vm'; readonly file: string; readonly stat: fs.Stats }
  | { readonly where: 'host'; readonly file: string; readonly stat: fs.Stats }
  | { readonly where: 'absent' };

const ABSENT: VmFile = { where: 'absent' };

/**
 * The VM's own entry for `hostPath` (any type, the last component not followed) in its upper
 * tree or a layer, or 'host' when the VM has none and sees the host's, or 'absent'.
 */
export function resolveVmEntry(p: VmPaths, hostPath: string): VmFile {
  const parts = hostPath.split('/').filter(Boolean);
  const tops = sourceDirs(p);
  // Whether a tree below tops[i], or the host, has anything at hostPath. Without one the answer
  // is "absent" whatever the opaque markers say; reading them costs a getfattr process, and the
  // registry asks for hives that are absent on every run of a VM without Wine.
  const belowHas = (i: number) => tops.slice(i + 1).some((t) => lstatOrNull(upperPathOf(t, hostPath)) !== null) || lstatOrNull(hostPath) !== null;
  for (const [ti, top] of tops.entries()) {
    const dirs: string[] = [];
    let found = true;
    for (let i = 1; i <= parts.length; i++) {
      const up = upperPathOf(top, '/' + parts.slice(0, i).join('/'));
      const st = lstatOrNull(up);
      if (!st) {
        found = false;
        break;
      }
      if (isWhiteoutStat(st)) return ABSENT;
      if (i === parts.length) return { where: 'vm', file: up, stat: st };
      if (!st.isDirectory()) return ABSENT;
      dirs.push(up);
    }
    // Not in this tree: an opaque directory on the way hides the trees below (one xattr read).
    if (!found && dirs.length > 0 && (!belowHas(ti) || findOpaqueDirs(dirs).size > 0)) return ABSENT;
  }
  const st = lstatOrNull(hostPath);
  return st ? { where: 'host', file: hostPath, stat: st } : ABSENT;
}

/** Where the VM's version of `hostPath` is, as a regular file (see the module comment). */
export function resolveVmFile(p: VmPaths, hostPath: string): VmFile {
  const e = resolveVmEntry(p, hostPath);
  return e.where !== 'absent' && e.stat.isFile() ? e : ABSENT;
}

/** The bytes of the VM's version of a file, or null when it has none. */
export function readVmFile(p: VmPaths, hostPath: string): { readonly bytes: Buffer; readonly file: VmFile } | null {
  const f = resolveVmFile(p, hostPath);
  if (f.where === 'absent') return null;
  // O_NOFOLLOW: the last component was an lstat'ed regular file a moment ago; keep it so.
  const fd = fs.openSync(f.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return { bytes: fs.readFileSync(fd), file: f };
  } finally {
    fs.closeSync(fd);
  }
}

/** Identity of a file version: a rename by Wine or FVM gives a new inode, a rewrite a new mtime. */
export interface FileStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export function stampOf(st: fs.Stats): FileStamp {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

export function sameStamp(a: FileStamp | null | undefined, b: FileStamp | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}


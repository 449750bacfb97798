/**
 * Whether a directory's file system can hold an overlay's upper tree: whiteouts (char 0:0
 * devices) and `user.overlay.opaque` xattrs. FAT and exFAT cannot, so a portable repository
 * there keeps its VMs as bundles and runs them from a local cache (portable-store.ts).
 *
 * Known file systems are judged by their statfs magic, FUSE ones by their mount's type, and
 * anything else by a probe (mknod + setfattr in a scratch directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readMountsSync } from '../../redirect/mountinfo.js';
import { setOpaque } from '../../redirect/xattr.js';
import { makeWhiteout } from '../tree-ops.js';

export interface UpperSupport {
  readonly ok: boolean;
  /** A file system name for messages (`ext4`, `vfat`, `fuse.fusefat`, or the statfs magic). */
  readonly fsType: string;
  readonly how: 'statfs' | 'mountinfo' | 'probe';
}

const CAPABLE = new Map<number, string>([
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0xf2f52010, 'f2fs'],
  [0x2fc12fc1, 'zfs'],
  [0xca451a4e, 'bcachefs'],
]);

const INCAPABLE = new Map<number, string>([
  [0x4d44, 'vfat'],
  [0x2011bab0, 'exfat'],
  [0x9660, 'iso9660'],
  [0x73717368, 'squashfs'],
]);

const FUSE_MAGIC = 0x65735546;
const FUSE_INCAPABLE = /^fuse\.(fusefat|exfat|exfat-fuse|mount\.exfat-fuse)$/;

/** The mount holding `dir` (the longest mount point above it). */
function mountTypeOf(dir: string): string | null {
  let best: { point: string; type: string } | null = null;
  try {
    for (const m of readMountsSync()) {
      const inside = m.mountPoint === '/' || dir === m.mountPoint || dir.startsWith(`${m.mountPoint}/`);
      if (inside && (!best || m.mountPoint.length >= best.point.length)) best = { point: m.mountPoint, type: m.fsType };
    }
  } catch {
    return null;
  }
  return best?.type ?? null;
}

/** Makes a whiteout and an opaque directory in a scratch directory; false if either fails. */
function probe(dir: string): boolean {
  let scratch: string;
  try {
    scratch = fs.mkdtempSync(path.join(dir, '.fvm-probe-'));
  } catch {
    // Cannot even write there: not a question of the file system; creating the repository will say so.
    return true;
  }
  try {
    makeWhiteout(path.join(scratch, 'w'));
    fs.mkdirSync(path.join(scratch, 'o'));
    setOpaque(path.join(scratch, 'o'), true);
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The nearest existing directory at or above `p` (a repository not created yet is judged by its parent). */
function existingDir(p: string): string {
  let d = path.resolve(p);
  while (d !== '/' && !fs.existsSync(d)) d = path.dirname(d);
  return d;
}

export function upperTreeSupport(dirPath: string): UpperSupport {
  const dir = existingDir(dirPath);
  let magic = -1;
  try {
    magic = Number(fs.statfsSync(dir).type);
  } catch {
    magic = -1;
  }
  const good = CAPABLE.get(magic);
  if (good) return { ok: true, fsType: good, how: 'statfs' };
  const bad = INCAPABLE.get(magic);
  if (bad) return { ok: false, fsType: bad, how: 'statfs' };
  if (magic === FUSE_MAGIC) {
    const type = mountTypeOf(fs.realpathSync(dir)) ?? 'fuse';
    if (FUSE_INCAPABLE.test(type)) return { ok: false, fsType: type, how: 'mountinfo' };
    return { ok: probe(dir), fsType: type, how: 'probe' };
  }
  return { ok: probe(dir), fsType: magic >= 0 ? `0x${magic.toString(16)}` : 'unknown', how: 'probe' };
}

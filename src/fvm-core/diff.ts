/**
 * The VM's changes against the host's *current* view, from its upper tree.
 *
 * Each changed host path is listed exactly once. Noise is filtered: a copied-up entry whose
 * type, mode, size, owner (as root) and bytes equal the host's is not a change, nor is a
 * whiteout for something the host no longer has, nor the mirrored mode of an upper root.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Change, EntryType } from '../shared/types.js';
import { findOpaqueDirs } from '../redirect/xattr.js';
import { isWhiteoutStat } from '../redirect/host-view.js';
import { mirrorMode } from '../redirect/mount-plan.js';
import type { VmPaths } from './repository.js';
import { sameBytesSync } from './file-compare.js';

/** One entry of the upper tree as the diff saw it. */
export interface UpperEntry {
  readonly host: string;
  readonly upper: string;
  readonly kind: 'whiteout' | 'dir' | 'file' | 'symlink' | 'other';
  readonly opaque: boolean;
  readonly stat: fs.Stats;
}

export interface DiffResult {
  readonly changes: Change[];
  /** Every upper entry, in walk order (parents before children). */
  readonly entries: UpperEntry[];
  /** Host paths of directories the VM replaced wholesale (rm -r + mkdir). */
  readonly opaqueDirs: Set<string>;
}

function entryType(st: fs.Stats): EntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Walks the upper tree; opaque markers are read in one batch for dirs the host also has. */
export function walkUpper(fsDir: string): { entries: UpperEntry[]; opaque: Set<string> } {
  const entries: UpperEntry[] = [];
  const stack: Array<{ upper: string; host: string }> = [{ upper: fsDir, host: '/' }];
  const candidates: string[] = [];
  while (stack.length) {
    const { upper, host } = stack.pop() as { upper: string; host: string };
    let names: string[];
    try {
      names = fs.readdirSync(upper);
    } catch {
      continue;
    }
    names.sort().reverse();
    for (const name of names) {
      const u = path.join(upper, name);
      const h = host === '/' ? `/${name}` : `${host}/${name}`;
      const st = lstatOrNull(u);
      if (!st) continue;
      let kind: UpperEntry['kind'];
      if (isWhiteoutStat(st)) kind = 'whiteout';
      else if (st.isDirectory()) kind = 'dir';
      else if (st.isFile()) kind = 'file';
      else if (st.isSymbolicLink()) kind = 'symlink';
      else kind = 'other';
      entries.push({ host: h, upper: u, kind, opaque: false, stat: st });
      if (kind === 'dir') {
        stack.push({ upper: u, host: h });
        candidates.push(u);
      }
    }
  }
  // Stack order visits depth-first; restore a stable parents-first, sorted order.
  entries.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const opaqueUpper = findOpaqueDirs(candidates);
  const opaque = new Set<string>();
  const withOpaque = entries.map((e) => {
    if (e.kind === 'dir' && opaqueUpper.has(e.upper)) {
      opaque.add(e.host);
      return { ...e, opaque: true };
    }
    return e;
  });
  return { entries: withOpaque, opaque };
}

export function diffVm(p: VmPaths): DiffResult {
  const uid = process.getuid?.() ?? 0;
  const asRoot = uid === 0;
  const { entries, opaque } = walkUpper(p.fs);
  const changes: Change[] = [];
  // Host paths that are new in the VM (no host counterpart): their children are "added" too.
  const addedDirs = new Set<string>();
  const upperNames = new Map<string, Set<string>>();
  for (const e of entries) {
    const parent = path.dirname(e.host);
    let s = upperNames.get(parent);
    if (!s) upperNames.set(parent, (s = new Set()));
    s.add(path.basename(e.host));
  }
  for (const e of entries) {
    const parent = path.dirname(e.host);
    const underNew = addedDirs.has(parent);
    const hst = underNew ? null : lstatOrNull(e.host);
    if (e.kind === 'whiteout') {
      if (hst) changes.push({ kind: 'deleted', path: e.host, type: entryType(hst), size: 0 });
      continue;
    }
    const type = e.kind === 'other' ? 'other' : e.kind;
    if (!hst) {
      if (e.kind === 'dir') addedDirs.add(e.host);
      changes.push({ kind: 'added', path: e.host, type, size: e.kind === 'file' ? e.stat.size : 0 });
      continue;
    }
    if (e.kind === 'dir') {
      if (!hst.isDirectory()) {
        addedDirs.add(e.host); // a dir replaced a file: its children are new
        changes.push({ kind: 'modified', path: e.host, type: 'dir', size: 0 });
        continue;
      }
      const um = e.stat.mode & 0o7777;
      const hm = hst.mode & 0o7777;
      const mirrored = mirrorMode({ type: 'dir', mode: hst.mode, uid: hst.uid, gid: hst.gid, enterable: true }, uid, asRoot);
      const ownerDiff = asRoot && (e.stat.uid !== hst.uid || e.stat.gid !== hst.gid);
      if ((um !== hm && um !== mirrored) || ownerDiff) changes.push({ kind: 'modified', path: e.host, type: 'dir', size: 0 });
      if (e.opaque) {
        // rm -r + mkdir: host children the VM did not recreate are gone from its view.
        const mine = upperNames.get(e.host) ?? new Set<string>();
        let hostNames: string[] = [];
        try {
          hostNames = fs.readdirSync(e.host).sort();
        } catch {
          hostNames = [];
        }
        for (const n of hostNames) {
          if (mine.has(n)) continue;
          const hp = path.join(e.host, n);
          const cst = lstatOrNull(hp);
          if (cst) changes.push({ kind: 'deleted', path: hp, type: entryType(cst), size: 0 });
        }
      }
      continue;
    }
    if (!sameEntry(e, hst, asRoot)) changes.push({ kind: 'modified', path: e.host, type, size: e.kind === 'file' ? e.stat.size : 0 });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, entries, opaqueDirs: opaque };
}

function sameEntry(e: UpperEntry, hst: fs.Stats, asRoot: boolean): boolean {
  if (entryType(hst) !== (e.kind === 'other' ? 'other' : e.kind)) return false;
  if (asRoot && (e.stat.uid !== hst.uid || e.stat.gid !== hst.gid)) return false;
  if (e.kind === 'symlink') {
    try {
      return fs.readlinkSync(e.upper) === fs.readlinkSync(e.host);
    } catch {
      return false;
    }
  }
  if ((e.stat.mode & 0o7777) !== (hst.mode & 0o7777)) return false;
  if (e.kind === 'file') return e.stat.size === hst.size && sameBytesSync(e.upper, e.host);
  return false;
}

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
import { sourceDirs, type VmPaths } from './repository.js';
import { sameBytesSync } from './file-compare.js';

/** One entry of the VM's (merged) upper tree as the diff saw it. */
export interface UpperEntry {
  readonly host: string;
  /** Where the entry lives: the VM's own tree, or a shared layer's. */
  readonly upper: string;
  readonly kind: 'whiteout' | 'dir' | 'file' | 'symlink' | 'other';
  readonly opaque: boolean;
  readonly stat: fs.Stats;
  /** In the VM's own tree (movable); false for an entry of a shared layer (copy only). */
  readonly owned: boolean;
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

function kindOf(st: fs.Stats): UpperEntry['kind'] {
  if (isWhiteoutStat(st)) return 'whiteout';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Every directory of the given trees: the candidates for opaque markers, read in one batch. */
function allDirs(roots: readonly string[]): string[] {
  const out: string[] = [];
  const stack = roots.filter((r) => lstatOrNull(r)?.isDirectory());
  while (stack.length) {
    const d = stack.pop() as string;
    out.push(d);
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of names) if (e.isDirectory()) stack.push(path.join(d, e.name));
  }
  return out;
}

/**
 * Walks the VM's upper trees (its own first, then its shared layers) merged as overlayfs merges
 * them: the topmost entry wins, a whiteout or a non-directory hides what is below it, and an
 * opaque directory hides the layers (and the host) below it.
 */
export function walkUpper(
  fsDir: string,
  layerDirs: readonly string[] = [],
  opts: { readonly opaqueOnlyOverHostDirs?: boolean } = {},
): { entries: UpperEntry[]; opaque: Set<string> } {
  const roots = [fsDir, ...layerDirs];
  const hostOf = (d: string) => {
    const root = roots.find((r) => d.startsWith(`${r}/`)) ?? fsDir;
    return d.slice(root.length);
  };
  // Against this host, an opaque marker only matters where the host has a directory to hide, so
  // the diff reads xattrs (one getfattr process) only for those: none for a tree of new files.
  // Exports and the deletion log read them all: another host may have those directories.
  const candidates = allDirs(roots).filter((d) => !roots.includes(d) && (!opts.opaqueOnlyOverHostDirs || lstatOrNull(hostOf(d))?.isDirectory() === true));
  const opaqueUpper = findOpaqueDirs(candidates);
  const entries: UpperEntry[] = [];
  const opaque = new Set<string>();
  const walk = (host: string, sources: ReadonlyArray<{ dir: string; owned: boolean }>) => {
    const names = new Set<string>();
    for (const s of sources) {
      try {
        for (const n of fs.readdirSync(s.dir)) names.add(n);
      } catch {
        // a layer without this directory
      }
    }
    for (const name of [...names].sort()) {
      const h = host === '/' ? `/${name}` : `${host}/${name}`;
      let top: { path: string; st: fs.Stats; owned: boolean; index: number } | null = null;
      for (let i = 0; i < sources.length && !top; i++) {
        const p = path.join(sources[i].dir, name);
        const st = lstatOrNull(p);
        if (st) top = { path: p, st, owned: sources[i].owned, index: i };
      }
      if (!top) continue;
      const kind = kindOf(top.st);
      let isOpaque = false;
      const below: Array<{ dir: string; owned: boolean }> = [];
      if (kind === 'dir') {
        for (let i = top.index; i < sources.length; i++) {
          const p = path.join(sources[i].dir, name);
          const st = lstatOrNull(p);
          if (!st) continue;
          if (!st.isDirectory()) break; // a whiteout or a file hides the rest
          below.push({ dir: p, owned: sources[i].owned });
          if (opaqueUpper.has(p)) {
            isOpaque = true;
            break;
          }
        }
      }
      if (isOpaque) opaque.add(h);
      entries.push({ host: h, upper: top.path, kind, opaque: isOpaque, stat: top.st, owned: top.owned });
      if (kind === 'dir') walk(h, below);
    }
  };
  walk('/', roots.map((dir, i) => ({ dir, owned: i === 0 })));
  return { entries, opaque };
}

export function diffVm(p: VmPaths): DiffResult {
  const uid = process.getuid?.() ?? 0;
  const asRoot = uid === 0;
  const [own, ...layers] = sourceDirs(p);
  const { entries, opaque } = walkUpper(own, layers, { opaqueOnlyOverHostDirs: true });
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

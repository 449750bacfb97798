/**
 * The VM's upper trees merged as overlayfs merges them: its own tree first, then its shared
 * layers; the topmost entry wins, a whiteout or a non-directory hides what is below it, and an
 * opaque directory hides the layers (and the host) below it.
 *
 * The walk is kept as columns (tree and entry number per step) so that the diff of a tree of
 * 100,000 new files makes no object per entry; UpperEntry objects are made only when asked for.
 */
import { findOpaqueDirs } from '../redirect/xattr.js';
import { scanTreeSync, type ScanMethod } from './upper-scan.js';
import { KIND_DIR, KINDS, type ScanKind, type ScannedTree } from './upper-tree.js';
import { lstatOrNull } from './tree-ops.js';

/** The lstat fields of an upper entry the engine uses. */
export interface UpperStat {
  /** st_mode, file type bits included (as fs.Stats.mode). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** As fs.Stats.mtimeMs; NaN unless walked with times. */
  readonly mtimeMs: number;
}

/** One entry of the VM's (merged) upper tree. */
export interface UpperEntry {
  readonly host: string;
  /** The host path of the directory it is in. */
  readonly parent: string;
  /** Where the entry lives: the VM's own tree, or a shared layer's. */
  readonly upper: string;
  readonly kind: ScanKind;
  readonly opaque: boolean;
  readonly stat: UpperStat;
  /** A symlink's target. */
  readonly target: string | undefined;
  /** In the VM's own tree (movable); false for an entry of a shared layer (copy only). */
  readonly owned: boolean;
}

export interface WalkOptions {
  /** Read opaque markers only of directories the host also has (the diff's view of this host). */
  readonly opaqueOnlyOverHostDirs?: boolean;
  /** Read modification times (exports). */
  readonly times?: boolean;
  readonly scan?: ScanMethod;
}

/** The merged walk: step k shows entry node[k] of trees[tree[k]]; parents before children. */
export interface MergedWalk {
  readonly trees: readonly ScannedTree[];
  readonly count: number;
  readonly tree: Uint16Array;
  readonly node: Int32Array;
  /** The step of the entry's directory (-1 for an entry of "/"). */
  readonly parent: Int32Array;
  /** 1 where the step's directory (or one it merges with below) is opaque. */
  readonly opaque: Uint8Array;
  /** Host paths of the opaque directories. */
  readonly opaqueDirs: Set<string>;
}

type HostState = 'dir' | 'symlink' | 'none';

/** What lstat says of a host path, by its type only. */
function hostStateOf(p: string): HostState {
  const st = lstatOrNull(p);
  if (!st) return 'none';
  return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'none';
}

/**
 * The directories (below the roots) that carry an opaque marker, as one flag array per tree.
 * Taken from all of them, or only from those over a host directory. Host lookups stop below a
 * host path that is missing or a plain file: nothing under it can exist (a symlink might lead
 * somewhere, so below one they go on). The scan read the markers where it could (with find);
 * the others' are asked here, in one batch.
 */
function opaqueMarks(trees: readonly ScannedTree[], onlyOverHostDirs: boolean): Uint8Array[] {
  const marks = trees.map((t) => new Uint8Array(t.count));
  const ask = new Map<string, [number, number]>();
  trees.forEach((t, ti) => {
    const known = t.opaqueHosts;
    const visit = (dir: number, parentState: HostState) => {
      for (const c of t.children.get(dir) ?? []) {
        if (t.kinds[c] !== KIND_DIR) continue;
        const state = !onlyOverHostDirs || parentState === 'none' ? parentState : hostStateOf(t.host(c));
        if (!onlyOverHostDirs || state === 'dir') {
          if (!known) ask.set(t.upper(c), [ti, c]);
          else if (known.has(t.host(c))) marks[ti][c] = 1;
        }
        visit(c, state);
      }
    };
    visit(0, 'dir');
  });
  for (const p of findOpaqueDirs([...ask.keys()])) {
    const hit = ask.get(p);
    if (hit) marks[hit[0]][hit[1]] = 1;
  }
  return marks;
}

/** Entry numbers by name in one directory of one tree, built only where layers are merged. */
function childIndex(t: ScannedTree, dir: number, cache: Map<string, Map<string, number>>, ti: number): Map<string, number> {
  const key = `${ti}:${dir}`;
  let m = cache.get(key);
  if (!m) {
    m = new Map((t.children.get(dir) ?? []).map((c) => [t.name(c), c]));
    cache.set(key, m);
  }
  return m;
}

/** Scans the VM's upper trees (its own first, then its layers') and merges them. */
export function mergeUpper(fsDir: string, layerDirs: readonly string[] = [], opts: WalkOptions = {}): MergedWalk {
  const trees: ScannedTree[] = [];
  [fsDir, ...layerDirs].forEach((dir, i) => {
    const t = scanTreeSync(dir, { owned: i === 0, times: opts.times, method: opts.scan });
    if (t) trees.push(t);
  });
  // Against this host, an opaque marker only matters where the host has a directory to hide:
  // the diff takes only those (none in a tree of new files). Exports and the deletion log take
  // them all: another host may have those directories.
  const marks = opaqueMarks(trees, opts.opaqueOnlyOverHostDirs === true);
  const total = trees.reduce((n, t) => n + t.count, 0);
  const stepTree = new Uint16Array(total);
  const stepNode = new Int32Array(total);
  const stepParent = new Int32Array(total);
  const stepOpaque = new Uint8Array(total);
  const opaqueDirs = new Set<string>();
  const names = new Map<string, Map<string, number>>();
  let count = 0;
  // `dirs`: the same directory in each tree that shows it, topmost first, as [tree, entry].
  const visit = (dirs: ReadonlyArray<readonly [number, number]>, parentStep: number, top: number, node: number): void => {
    const ti = dirs[top][0];
    const t = trees[ti];
    const k = count++;
    stepTree[k] = ti;
    stepNode[k] = node;
    stepParent[k] = parentStep;
    if (t.kinds[node] !== KIND_DIR) return;
    const below: Array<readonly [number, number]> = [[ti, node]];
    let opaque = marks[ti][node] === 1;
    const name = dirs.length > 1 ? t.name(node) : '';
    for (let i = top + 1; i < dirs.length && !opaque; i++) {
      const [li, ld] = dirs[i];
      const c = childIndex(trees[li], ld, names, li).get(name);
      if (c === undefined) continue;
      if (trees[li].kinds[c] !== KIND_DIR) break; // a whiteout or a file hides the rest
      below.push([li, c]);
      opaque = marks[li][c] === 1;
    }
    if (opaque) {
      stepOpaque[k] = 1;
      opaqueDirs.add(t.host(node));
    }
    walk(below, k);
  };
  const walk = (dirs: ReadonlyArray<readonly [number, number]>, step: number): void => {
    if (dirs.length === 1) {
      // One tree has this directory (always so without layers): nothing to merge.
      const [ti, d] = dirs[0];
      for (const c of trees[ti].children.get(d) ?? []) visit(dirs, step, 0, c);
      return;
    }
    const all = new Set<string>();
    for (const [ti, d] of dirs) for (const n of childIndex(trees[ti], d, names, ti).keys()) all.add(n);
    for (const name of [...all].sort()) {
      for (let i = 0; i < dirs.length; i++) {
        const c = childIndex(trees[dirs[i][0]], dirs[i][1], names, dirs[i][0]).get(name);
        if (c !== undefined) {
          visit(dirs, step, i, c);
          break;
        }
      }
    }
  };
  if (trees.length > 0) walk(trees.map((_, i) => [i, 0] as const), -1);
  return { trees, count, tree: stepTree, node: stepNode, parent: stepParent, opaque: stepOpaque, opaqueDirs };
}

/** Step k of a merged walk as an UpperEntry object. */
export function entryAt(w: MergedWalk, k: number): UpperEntry {
  const t = w.trees[w.tree[k]];
  const i = w.node[k];
  return {
    host: t.host(i),
    parent: t.host(t.parents[i]),
    upper: t.upper(i),
    kind: KINDS[t.kinds[i]],
    opaque: w.opaque[k] === 1,
    stat: { mode: t.modes[i], uid: t.uids[i], gid: t.gids[i], size: t.sizes[i], mtimeMs: t.mtimes ? t.mtimes[i] : NaN },
    target: t.targets.get(i),
    owned: t.owned,
  };
}

/** Every step of a merged walk as UpperEntry objects. */
export function entriesOf(w: MergedWalk): UpperEntry[] {
  const out: UpperEntry[] = new Array<UpperEntry>(w.count);
  for (let k = 0; k < w.count; k++) out[k] = entryAt(w, k);
  return out;
}

/** The merged walk as entry objects, with the host paths of opaque directories. */
export function walkUpper(fsDir: string, layerDirs: readonly string[] = [], opts: WalkOptions = {}): { entries: UpperEntry[]; opaque: Set<string> } {
  const w = mergeUpper(fsDir, layerDirs, opts);
  return { entries: entriesOf(w), opaque: w.opaqueDirs };
}

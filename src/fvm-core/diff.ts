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
import { mirrorMode } from '../redirect/mount-plan.js';
import { sourceDirs, type VmPaths } from './repository.js';
import { sameBytesSync } from './file-compare.js';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, KIND_WHITEOUT, KINDS, type ScannedTree } from './upper-tree.js';
import { entriesOf, entryAt, mergeUpper, type UpperEntry } from './upper-walk.js';
import { HostLookup } from './host-lookup.js';
import { lstatOrNull } from './tree-ops.js';

export interface DiffResult {
  readonly changes: Change[];
  /** Every upper entry, in walk order (parents before children); made when first read. */
  readonly entries: UpperEntry[];
  /** The upper entry of a host path, without making all of them. */
  entryOf(host: string): UpperEntry | undefined;
  /** Host paths of directories the VM replaced wholesale (rm -r + mkdir). */
  readonly opaqueDirs: Set<string>;
  /** Host paths of every entry of every upper tree, hidden ones too, each after its directory. */
  readonly upperPaths: readonly string[];
}

function entryType(st: fs.Stats): EntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function allHostPaths(trees: readonly ScannedTree[]): string[] {
  if (trees.length === 1) {
    const t = trees[0];
    const out = new Array<string>(t.count - 1);
    for (let i = 1; i < t.count; i++) out[i - 1] = t.host(i);
    return out;
  }
  const out = new Set<string>();
  for (const t of trees) for (let i = 1; i < t.count; i++) out.add(t.host(i));
  return [...out];
}

function isSortedByPath(changes: readonly Change[]): boolean {
  for (let i = 1; i < changes.length; i++) if (changes[i - 1].path > changes[i].path) return false;
  return true;
}

export function diffVm(p: VmPaths): DiffResult {
  const uid = process.getuid?.() ?? 0;
  const asRoot = uid === 0;
  const [own, ...layers] = sourceDirs(p);
  const w = mergeUpper(own, layers, { opaqueOnlyOverHostDirs: true });
  const changes: Change[] = [];
  // Steps whose directory is new in the VM (no host counterpart): its entries are "added" too,
  // without asking the host.
  const added = new Uint8Array(w.count);
  const hostLookup = new HostLookup();
  let deletedUnderOpaque = false;
  // The upper names in each opaque dir (by its step): host children not among them are deleted.
  const upperNames = new Map<number, Set<string>>();
  for (let k = 0; k < w.count; k++) if (w.opaque[k] === 1) upperNames.set(k, new Set());
  if (upperNames.size > 0) for (let k = 0; k < w.count; k++) upperNames.get(w.parent[k])?.add(w.trees[w.tree[k]].name(w.node[k]));
  for (let k = 0; k < w.count; k++) {
    const t = w.trees[w.tree[k]];
    const i = w.node[k];
    const host = t.host(i);
    const kind = t.kinds[i];
    const up = w.parent[k];
    const hst = up >= 0 && added[up] === 1 ? null : hostLookup.lstat(host);
    if (kind === KIND_WHITEOUT) {
      if (hst) changes.push({ kind: 'deleted', path: host, type: entryType(hst), size: 0 });
      continue;
    }
    const type = KINDS[kind] as EntryType;
    const size = kind === KIND_FILE ? t.sizes[i] : 0;
    if (!hst) {
      if (kind === KIND_DIR) added[k] = 1;
      changes.push({ kind: 'added', path: host, type, size });
      continue;
    }
    if (kind === KIND_DIR) {
      if (!hst.isDirectory()) {
        added[k] = 1; // a dir replaced a file: its children are new
        changes.push({ kind: 'modified', path: host, type: 'dir', size: 0 });
        continue;
      }
      const um = t.modes[i] & 0o7777;
      const hm = hst.mode & 0o7777;
      const mirrored = mirrorMode({ type: 'dir', mode: hst.mode, uid: hst.uid, gid: hst.gid, enterable: true }, uid, asRoot);
      const ownerDiff = asRoot && (t.uids[i] !== hst.uid || t.gids[i] !== hst.gid);
      if ((um !== hm && um !== mirrored) || ownerDiff) changes.push({ kind: 'modified', path: host, type: 'dir', size: 0 });
      if (w.opaque[k] === 1) {
        // rm -r + mkdir: host children the VM did not recreate are gone from its view.
        const mine = upperNames.get(k) ?? new Set<string>();
        let hostNames: string[] = [];
        try {
          hostNames = fs.readdirSync(host).sort();
        } catch {
          hostNames = [];
        }
        for (const n of hostNames) {
          if (mine.has(n)) continue;
          const hp = path.join(host, n);
          const cst = lstatOrNull(hp);
          if (!cst) continue;
          changes.push({ kind: 'deleted', path: hp, type: entryType(cst), size: 0 });
          deletedUnderOpaque = true;
        }
      }
      continue;
    }
    if (!sameEntry(t, i, hst, asRoot)) changes.push({ kind: 'modified', path: host, type, size });
  }
  // The walk's order is the paths' order unless a tree says otherwise, layers merge (their
  // names interleave) or an opaque dir's deletions came in ahead of its own entries; even then
  // it is nearly so.
  const inOrder = w.trees.length === 1 && !w.trees[0].outOfPathOrder && !deletedUnderOpaque;
  if (!inOrder && !isSortedByPath(changes)) changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let entries: UpperEntry[] | null = null;
  let upperPaths: string[] | null = null;
  let stepOf: Map<string, number> | null = null;
  let lookups = 0;
  return {
    changes,
    get entries() {
      return (entries ??= entriesOf(w));
    },
    entryOf(host) {
      // A commit of whole new directories asks for a few: a scan; a commit of many files asks
      // for each: an index, built once.
      if (!stepOf && ++lookups > 64) {
        stepOf = new Map();
        for (let k = 0; k < w.count; k++) stepOf.set(w.trees[w.tree[k]].host(w.node[k]), k);
      }
      if (stepOf) {
        const k = stepOf.get(host);
        return k === undefined ? undefined : entryAt(w, k);
      }
      for (let k = 0; k < w.count; k++) if (w.trees[w.tree[k]].hostIs(w.node[k], host)) return entryAt(w, k);
      return undefined;
    },
    opaqueDirs: w.opaqueDirs,
    get upperPaths() {
      return (upperPaths ??= allHostPaths(w.trees));
    },
  };
}

function sameEntry(t: ScannedTree, i: number, hst: fs.Stats, asRoot: boolean): boolean {
  const kind = t.kinds[i];
  if (entryType(hst) !== KINDS[kind]) return false;
  if (asRoot && (t.uids[i] !== hst.uid || t.gids[i] !== hst.gid)) return false;
  if (kind === KIND_SYMLINK) {
    try {
      return t.targets.get(i) === fs.readlinkSync(t.host(i));
    } catch {
      return false;
    }
  }
  if ((t.modes[i] & 0o7777) !== (hst.mode & 0o7777)) return false;
  if (kind === KIND_FILE) return t.sizes[i] === hst.size && sameBytesSync(t.upper(i), t.host(i));
  return false;
}

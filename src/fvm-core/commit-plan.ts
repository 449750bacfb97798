/**
 * The commit plan: typed operations built from the diff before anything on the host changes.
 * The same plan serves --dry-run, the progress bar, the crash journal and uncommit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import type { Change } from '../shared/types.js';
import { isWithin, upperPathOf } from '../redirect/host-path.js';
import type { DiffResult } from './diff.js';
import { FingerprintReader, type Fingerprint } from './baseline.js';

export type CommitOp =
  /**
   * Move the host entry aside into the commit's pre-images; the upper whiteout goes too.
   * Under an opaque directory there is no whiteout (nothing below shows through), and uncommit
   * must not create one: overlayfs lists an opaque dir straight from the upper tree.
   */
  | { readonly kind: 'delete'; readonly path: string; readonly type: Change['type']; readonly underOpaque: boolean }
  /** Create a directory the host lacks (pre-imaging a non-directory that stood there). */
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly replaces: boolean }
  /** Put the VM's file or symlink in place (pre-imaging the host's). */
  | {
      readonly kind: 'place';
      readonly path: string;
      readonly type: Change['type'];
      readonly replaces: boolean;
      /** The entry in the VM's own tree or in a shared layer. */
      readonly source: string;
      /**
       * Copy instead of move: under a directory the VM recreated (opaque), so the VM's view
       * keeps it, or from a shared layer, which other VMs still stack.
       */
      readonly keepUpper: boolean;
    }
  /** A directory's mode or owner changed. */
  | { readonly kind: 'chmod'; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly oldMode: number; readonly oldUid: number; readonly oldGid: number };

export interface CommitPlan {
  readonly ops: readonly CommitOp[];
  readonly changes: readonly Change[];
}

/** Changes selected by --path: a path selects itself and everything below it. */
export function selectChanges(changes: readonly Change[], paths: readonly string[] | undefined): Change[] {
  if (!paths || paths.length === 0) return [...changes];
  const picked = new Set<Change>();
  for (const sel of paths) {
    const hits = changes.filter((c) => isWithin(c.path, sel));
    if (hits.length === 0) {
      throw new FvmError('PATH_NOT_CHANGED', `${sel} is not among the VM's changes`, 'See what the VM changed with `fvm diff NAME`; --path takes one of those paths or a directory above them.');
    }
    for (const h of hits) picked.add(h);
  }
  // A new file needs its new parent directories: add those (only the directories themselves).
  const byPath = new Map(changes.map((c) => [c.path, c]));
  for (const c of [...picked]) {
    for (let d = path.dirname(c.path); d !== '/'; d = path.dirname(d)) {
      const pc = byPath.get(d);
      if (pc && pc.type === 'dir' && pc.kind !== 'deleted') picked.add(pc);
    }
  }
  return changes.filter((c) => picked.has(c));
}

/** Paths whose host state moved since the VM's baseline was taken. `changes` in path order. */
export function findConflicts(changes: readonly Change[], baseline: Readonly<Record<string, Fingerprint>>): string[] {
  const out: string[] = [];
  const fps = new FingerprintReader();
  for (const c of changes) {
    const fp = baseline[c.path];
    if (fp === undefined) continue;
    if (c.type === 'dir' && c.kind !== 'deleted' && fp.startsWith('dir:')) continue; // contents are judged per entry
    if (fps.of(c.path) !== fp) out.push(c.path);
  }
  return out;
}

export interface PlanOptions {
  /** The user's --path selections (undefined: everything). */
  readonly paths?: readonly string[];
  /** The VM stacks shared layers: its new dirs may have children in them, so no whole-dir moves. */
  readonly layered: boolean;
}

export function buildCommitPlan(fsDir: string, diff: DiffResult, selected: readonly Change[], opts: PlanOptions = { layered: false }): CommitPlan {
  const deletes: CommitOp[] = [];
  const mkdirs: CommitOp[] = [];
  const places: CommitOp[] = [];
  const chmods: CommitOp[] = [];
  const opaqueDirs = [...diff.opaqueDirs];
  const underOpaque = (p: string) => opaqueDirs.length > 0 && opaqueDirs.some((d) => p !== d && isWithin(p, d));
  // A directory new to the host, wholly the VM's own and selected with everything below it,
  // moves with one rename(2): commit cost stops growing with the number of files inside.
  const wholeDirs = new Set<string>();
  // Changes come parents first: a path is within a whole dir when its parent is one or lies in
  // one (the directories found so are remembered, so each path asks once).
  const inWhole = new Set<string>();
  const within = (p: string) => {
    if (wholeDirs.has(p) || inWhole.has(p)) return true;
    const parent = path.dirname(p);
    if (!wholeDirs.has(parent) && !inWhole.has(parent)) return false;
    inWhole.add(p);
    return true;
  };
  for (const c of selected) {
    if (c.kind !== 'added' || c.type !== 'dir' || opts.layered || within(c.path)) continue;
    const entry = diff.entryOf(c.path);
    if (!entry?.owned || entry.opaque || underOpaque(c.path)) continue;
    if (opts.paths && !opts.paths.some((sel) => isWithin(c.path, sel))) continue; // only a parent of a pick
    wholeDirs.add(c.path);
  }
  for (const c of selected) {
    if (within(c.path) && !wholeDirs.has(c.path)) continue;
    const entry = diff.entryOf(c.path);
    if (wholeDirs.has(c.path)) {
      places.push({ kind: 'place', path: c.path, type: 'dir', replaces: false, source: entry?.upper ?? upperPathOf(fsDir, c.path), keepUpper: false });
      continue;
    }
    const up = entry?.upper ?? upperPathOf(fsDir, c.path);
    if (c.kind === 'deleted') {
      deletes.push({ kind: 'delete', path: c.path, type: c.type, underOpaque: underOpaque(c.path) });
      continue;
    }
    if (c.type !== 'dir') {
      // The diff just asked the host: "added" is what it lacks, "modified" what it has.
      places.push({ kind: 'place', path: c.path, type: c.type, replaces: c.kind !== 'added', source: up, keepUpper: underOpaque(c.path) || entry?.owned === false });
      continue;
    }
    let hst: fs.Stats | null = null;
    try {
      hst = fs.lstatSync(c.path);
    } catch {
      hst = null;
    }
    const ust = entry?.stat ?? fs.lstatSync(up);
    if (!hst || !hst.isDirectory()) {
      mkdirs.push({ kind: 'mkdir', path: c.path, mode: ust.mode & 0o7777, uid: ust.uid, gid: ust.gid, replaces: !!hst });
    } else {
      chmods.push({
        kind: 'chmod',
        path: c.path,
        mode: ust.mode & 0o7777,
        uid: ust.uid,
        gid: ust.gid,
        oldMode: hst.mode & 0o7777,
        oldUid: hst.uid,
        oldGid: hst.gid,
      });
    }
  }
  const depth = (o: CommitOp) => o.path.split('/').length;
  // Deletions first, so a name freed by the VM can be reused by a later op; parents before
  // children for creation; modes last and deepest first, so a 0555 dir does not block its child.
  deletes.sort((a, b) => depth(a) - depth(b));
  mkdirs.sort((a, b) => depth(a) - depth(b));
  chmods.sort((a, b) => depth(b) - depth(a));
  return { ops: [...deletes, ...mkdirs, ...places, ...chmods], changes: selected };
}

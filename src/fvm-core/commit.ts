/**
 * Commit: apply a plan of the VM's changes to the host, journaled so that a crash at any point
 * resumes on the next command, with pre-images kept for uncommit. Files move with rename(2)
 * when the store and the host share a file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import type { CommitResult } from '../shared/contract.js';
import type { Progress } from '../shared/types.js';
import { isWhiteoutStat } from '../redirect/host-view.js';
import { upperPathOf } from '../redirect/host-path.js';
import { sourceDirs, type VmPaths } from './repository.js';
import { diffVm } from './diff.js';
import { refreshBaseline, updateBaseline } from './baseline.js';
import { buildCommitPlan, findConflicts, selectChanges, type CommitOp } from './commit-plan.js';
import { commitDir, commitNumbers, faultPoint, Journal, journalIndexes, preImagePath, readRecord, readRecordState, writeRecord, writeRecordState, type CommitRecord } from './commit-journal.js';
import { copyEntrySync, existsNoFollow as exists, moveEntrySync } from './tree-ops.js';
import { undoCommit } from './uncommit.js';
import { RealParents } from './real-parents.js';

export interface CommitOptions {
  readonly paths?: readonly string[];
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Host paths the file commit leaves alone (a Wine prefix's hives: the registry commit merges them key by key). */
  readonly exclude?: (hostPath: string) => boolean;
}

/**
 * What one run over a plan has learnt of the file system: the host directories proven real,
 * the upper directories found writable, and whether the run resumes an interrupted one.
 */
interface RunContext {
  readonly parents: RealParents;
  /** Upper directories whose mode already lets their owner write: no stat, no chmod. */
  readonly openDirs: Set<string>;
  /** A run after a crash: temp copies it left may lie around. */
  readonly resuming: boolean;
}

/** Runs fn with the parent directory of `p` writable by its owner for the duration. */
function withWritableParent<T>(ctx: RunContext, p: string, fn: () => T): T {
  const parent = path.dirname(p);
  if (ctx.openDirs.has(parent)) return fn();
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(parent);
  } catch {
    return fn();
  }
  const closed = (st.mode & 0o300) !== 0o300 && st.uid === process.getuid?.();
  if (!closed) {
    // These are the VM's upper dirs: no op of a commit changes their modes.
    ctx.openDirs.add(parent);
    return fn();
  }
  fs.chmodSync(parent, (st.mode & 0o7777) | 0o300);
  try {
    return fn();
  } finally {
    fs.chmodSync(parent, st.mode & 0o7777);
  }
}

function tmpNameFor(host: string, n: number, i: number): string {
  return path.join(path.dirname(host), `.fvm-commit-${n}-${i}`);
}

/** Places an upper entry at a host path atomically: rename, or copy to a temp name + rename. */
function placeEntry(ctx: RunContext, src: string, dst: string, tmp: string, keepSource: boolean): void {
  if (!keepSource) {
    try {
      withWritableParent(ctx, src, () => fs.renameSync(src, dst));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  copyEntrySync(src, tmp);
  fs.renameSync(tmp, dst);
  if (!keepSource) withWritableParent(ctx, src, () => fs.rmSync(src, { recursive: true, force: true }));
}

function applyOp(ctx: RunContext, p: VmPaths, n: number, i: number, op: CommitOp): void {
  const host = op.path;
  const pre = preImagePath(p, n, host);
  const up = upperPathOf(p.fs, host);
  ctx.parents.assert(host);
  const tmp = tmpNameFor(host, n, i);
  if (ctx.resuming && exists(tmp)) fs.rmSync(tmp, { recursive: true, force: true }); // a copy cut short by a crash
  const preImage = () => {
    if (exists(host) && !exists(pre)) {
      fs.mkdirSync(path.dirname(pre), { recursive: true, mode: 0o700 });
      moveEntrySync(host, pre);
      ctx.parents.forget(host);
    }
  };
  switch (op.kind) {
    case 'delete': {
      preImage();
      faultPoint('commit-mid', i);
      // The deletion is now on the host: the whiteout has nothing left to hide.
      try {
        if (isWhiteoutStat(fs.lstatSync(up))) withWritableParent(ctx, up, () => fs.unlinkSync(up));
      } catch {
        // already gone
      }
      return;
    }
    case 'mkdir': {
      if (op.replaces) {
        const st = fs.lstatSync(host, { throwIfNoEntry: false });
        if (st && !st.isDirectory()) preImage();
      }
      faultPoint('commit-mid', i);
      if (!exists(host)) {
        fs.mkdirSync(host, { mode: 0o700 });
        fs.chmodSync(host, op.mode);
        if (process.getuid?.() === 0) fs.chownSync(host, op.uid, op.gid);
      }
      return;
    }
    case 'place': {
      if (op.replaces) preImage();
      faultPoint('commit-mid', i);
      if (!exists(host)) placeEntry(ctx, op.source, host, tmp, op.keepUpper);
      else if (!op.keepUpper && op.replaces && exists(op.source) && exists(pre)) {
        // Crash between a cross-device copy and the removal of its source: finish the move.
        withWritableParent(ctx, op.source, () => fs.rmSync(op.source, { recursive: true, force: true }));
      }
      return;
    }
    case 'chmod': {
      faultPoint('commit-mid', i);
      fs.chmodSync(host, op.mode);
      if (process.getuid?.() === 0) fs.chownSync(host, op.uid, op.gid);
      return;
    }
  }
}

function execute(p: VmPaths, rec: CommitRecord, onProgress: (pr: Progress) => void, resuming: boolean): void {
  const done = journalIndexes(p, rec.n, 'done');
  const journal = new Journal(p, rec.n);
  const ctx: RunContext = { parents: new RealParents(), openDirs: new Set(), resuming: resuming || done.size > 0 };
  try {
    rec.ops.forEach((op, i) => {
      if (done.has(i)) return;
      faultPoint('commit-op', i);
      try {
        applyOp(ctx, p, rec.n, i, op);
      } catch (err) {
        if (err instanceof FvmError) throw err;
        const e = err as NodeJS.ErrnoException;
        throw new FvmError('IO_ERROR', `commit ${rec.n}: cannot ${op.kind} ${op.path}: ${e.code ?? ''} ${e.message}`.trim(), e.code === 'EACCES' || e.code === 'EPERM' ? 'The host path is not writable by you; commit that path as its owner, or leave it in the VM.' : 'Fix the cause and run the command again: the commit resumes where it stopped.');
      }
      journal.mark('done', i);
      if (i % 100 === 0 || i === rec.ops.length - 1) onProgress({ op: 'commit', done: i + 1, total: rec.ops.length, path: op.path });
    });
  } finally {
    journal.close();
  }
  faultPoint('commit-finalize');
  writeRecordState(p, rec.n, 'done');
}

export function commitVm(p: VmPaths, opts: CommitOptions, onProgress: (pr: Progress) => void): CommitResult {
  const diff = diffVm(p);
  const baseline = updateBaseline(p, diff.upperPaths);
  const exclude = opts.exclude;
  const selected = selectChanges(exclude ? diff.changes.filter((c) => !exclude(c.path)) : diff.changes, opts.paths);
  if (selected.length === 0) return { commit: null, dryRun: opts.dryRun, applied: [] };
  const conflicts = findConflicts(selected, baseline);
  if (conflicts.length > 0 && !opts.force) {
    const shown = conflicts.slice(0, 5).join(', ');
    throw new FvmError(
      'COMMIT_CONFLICT',
      `the host changed ${conflicts.length === 1 ? shown : `${conflicts.length} paths (${shown}${conflicts.length > 5 ? ', …' : ''})`} after the VM changed it; nothing was committed`,
      'Compare the two versions, then commit with --force to let the VM\'s version win, or leave that path out with --path.',
    );
  }
  const plan = buildCommitPlan(p.fs, diff, selected, { paths: opts.paths, layered: sourceDirs(p).length > 1 });
  if (opts.dryRun) return { commit: null, dryRun: true, applied: selected };
  const parents = new RealParents();
  for (const op of plan.ops) parents.assert(op.path);
  const nums = commitNumbers(p);
  const n = (nums.length ? nums[nums.length - 1] : 0) + 1;
  const rec: CommitRecord = { n, created: new Date().toISOString(), state: 'applying', ops: plan.ops, changes: selected };
  writeRecord(p, rec);
  onProgress({ op: 'commit', done: 0, total: plan.ops.length });
  execute(p, rec, onProgress, false);
  // The committed paths now equal the host: their fingerprints start afresh.
  refreshBaseline(p, plan.ops.map((o) => o.path), baseline);
  return { commit: n, dryRun: false, applied: selected };
}

/** True when a commit or uncommit was interrupted and waits to be finished. */
export function hasIncompleteCommit(p: VmPaths): boolean {
  return commitNumbers(p).some((n) => {
    const st = readRecordState(p, n);
    return st !== 'done' && st !== 'undone';
  });
}

/** Finishes a commit (or an uncommit) that a crash interrupted. Called under the VM's lock. */
export function recoverCommit(p: VmPaths): void {
  for (const n of commitNumbers(p)) {
    const st = readRecordState(p, n);
    if (st === 'done' || st === 'undone') continue;
    const rec = readRecord(p, n);
    if (!rec) {
      // Crash before the plan was written: nothing on the host changed.
      fs.rmSync(commitDir(p, n), { recursive: true, force: true });
      continue;
    }
    if (rec.state === 'applying') execute(p, rec, () => undefined, true);
    else if (rec.state === 'undoing') undoCommit(p, rec);
  }
}

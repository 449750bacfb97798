/** Uncommit: put the host back as it was before the last commit, and the VM's changes back in the VM. */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { upperPathOf } from '../redirect/host-path.js';
import type { VmPaths } from './repository.js';
import type { CommitOp } from './commit-plan.js';
import { commitNumbers, faultPoint, Journal, journalIndexes, preImagePath, readRecord, readRecordState, writeRecordState, type CommitRecord } from './commit-journal.js';
import { existsNoFollow as exists, makeWhiteout, moveEntrySync } from './tree-ops.js';
import { refreshBaseline } from './baseline.js';

export function commitCount(p: VmPaths): number {
  return commitNumbers(p).filter((n) => readRecordState(p, n) === 'done').length;
}

function undoOp(p: VmPaths, n: number, op: CommitOp): void {
  const host = op.path;
  const pre = preImagePath(p, n, host);
  const up = upperPathOf(p.fs, host);
  switch (op.kind) {
    case 'chmod':
      fs.chmodSync(host, op.oldMode);
      if (process.getuid?.() === 0) fs.chownSync(host, op.oldUid, op.oldGid);
      return;
    case 'place':
      if (exists(host)) {
        if (op.keepUpper && exists(op.source)) fs.rmSync(host, { recursive: true, force: true });
        else if (!exists(op.source)) {
          fs.mkdirSync(path.dirname(op.source), { recursive: true });
          moveEntrySync(host, op.source);
        }
      }
      if (op.replaces && exists(pre) && !exists(host)) moveEntrySync(pre, host);
      return;
    case 'mkdir':
      if (exists(host) && fs.lstatSync(host).isDirectory()) {
        try {
          fs.rmdirSync(host);
        } catch {
          // the host put files in it since; they stay
        }
      }
      if (op.replaces && exists(pre) && !exists(host)) moveEntrySync(pre, host);
      return;
    case 'delete':
      if (exists(pre) && !exists(host)) moveEntrySync(pre, host);
      if (!op.underOpaque && !exists(up)) {
        fs.mkdirSync(path.dirname(up), { recursive: true });
        makeWhiteout(up);
      }
      return;
  }
}

export function undoCommit(p: VmPaths, rec: CommitRecord): void {
  if (rec.state !== 'undoing') writeRecordState(p, rec.n, 'undoing');
  const undone = journalIndexes(p, rec.n, 'undone');
  const journal = new Journal(p, rec.n);
  try {
    for (let i = rec.ops.length - 1; i >= 0; i--) {
      if (undone.has(i)) continue;
      faultPoint('uncommit-op', i);
      undoOp(p, rec.n, rec.ops[i]);
      journal.mark('undone', i);
    }
  } finally {
    journal.close();
  }
  writeRecordState(p, rec.n, 'undone');
}

export function uncommitVm(p: VmPaths): { commit: number; restored: number } {
  const n = commitNumbers(p)
    .filter((x) => readRecordState(p, x) === 'done')
    .pop();
  const last = n === undefined ? null : readRecord(p, n);
  if (!last) throw new FvmError('NOTHING_TO_UNCOMMIT', 'this VM has no commit to undo', 'Commits are listed by `fvm info NAME`.');
  undoCommit(p, last);
  refreshBaseline(p, last.ops.map((o) => o.path));
  return { commit: last.n, restored: last.ops.length };
}

/**
 * The commit record and its journal: commits/<n>/commit.json (the plan and its state, written
 * atomically) and commits/<n>/journal (one line per finished op, appended). Pre-images of what
 * a commit replaced live in commits/<n>/pre/<host path>.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Change } from '../shared/types.js';
import type { VmPaths } from './repository.js';
import type { CommitOp } from './commit-plan.js';
import { writeJsonAtomicSync } from './atomic-write.js';

export type CommitState = 'applying' | 'done' | 'undoing' | 'undone';

export interface CommitRecord {
  readonly n: number;
  readonly created: string;
  readonly state: CommitState;
  readonly ops: readonly CommitOp[];
  readonly changes: readonly Change[];
}

export function commitDir(p: VmPaths, n: number): string {
  return path.join(p.commits, String(n));
}

export function preImagePath(p: VmPaths, n: number, hostPath: string): string {
  return path.join(commitDir(p, n), 'pre', hostPath);
}

export function commitNumbers(p: VmPaths): number[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(p.commits);
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

export function readRecord(p: VmPaths, n: number): CommitRecord | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(commitDir(p, n), 'commit.json'), 'utf8')) as CommitRecord;
  } catch {
    return null;
  }
}

export function writeRecord(p: VmPaths, rec: CommitRecord): void {
  fs.mkdirSync(commitDir(p, rec.n), { recursive: true, mode: 0o700 });
  writeJsonAtomicSync(path.join(commitDir(p, rec.n), 'commit.json'), rec);
}

/** Journal lines of the given verb ("done" while applying, "undone" while undoing). */
export function journalIndexes(p: VmPaths, n: number, verb: 'done' | 'undone'): Set<number> {
  const out = new Set<number>();
  let text = '';
  try {
    text = fs.readFileSync(path.join(commitDir(p, n), 'journal'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(done|undone) (\d+)$/.exec(line);
    if (m && m[1] === verb) out.add(Number(m[2]));
  }
  return out;
}

export class Journal {
  private readonly fd: number;

  constructor(p: VmPaths, n: number) {
    // Appends survive a kill -9 of this process (the page cache is the kernel's); each op is
    // also idempotent, so a lost last line only repeats a finished op.
    this.fd = fs.openSync(path.join(commitDir(p, n), 'journal'), 'a', 0o600);
  }

  mark(verb: 'done' | 'undone', i: number): void {
    fs.writeSync(this.fd, `${verb} ${i}\n`);
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

/** Test hook: FVM_FAULT=commit-op:N | commit-mid:N | commit-finalize | uncommit-op:N kills this process there. */
export function faultPoint(point: string, i?: number): void {
  const f = process.env.FVM_FAULT;
  if (!f) return;
  if (f === point || (i !== undefined && f === `${point}:${i}`)) process.kill(process.pid, 'SIGKILL');
}

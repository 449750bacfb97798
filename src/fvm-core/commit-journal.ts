/**
 * The commit record and its journal: commits/<n>/commit.json (the plan and its first state,
 * written atomically), commits/<n>/state (its later states, written atomically: a word, where
 * rewriting the plan of a commit of 10,000 files would cost a megabyte each time) and
 * commits/<n>/journal (one line per finished op, appended). Pre-images of what a commit
 * replaced live in commits/<n>/pre/<host path>.
 *
 * Every command reads the state of every record (to finish an interrupted commit first): with
 * the state file that is a word per commit, not the whole plan.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Change } from '../shared/types.js';
import type { VmPaths } from './repository.js';
import type { CommitOp } from './commit-plan.js';
import { writeFileAtomicSync } from './atomic-write.js';

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

const STATES: readonly CommitState[] = ['applying', 'done', 'undoing', 'undone'];

function recordFile(p: VmPaths, n: number): string {
  return path.join(commitDir(p, n), 'commit.json');
}

function stateFile(p: VmPaths, n: number): string {
  return path.join(commitDir(p, n), 'state');
}

/** The state file's word; null without one (the record's own state holds). */
function readStateFile(p: VmPaths, n: number): CommitState | null {
  let text: string;
  try {
    text = fs.readFileSync(stateFile(p, n), 'utf8').trim();
  } catch {
    return null;
  }
  return STATES.find((s) => s === text) ?? null;
}

function parseRecord(p: VmPaths, n: number): CommitRecord | null {
  try {
    return JSON.parse(fs.readFileSync(recordFile(p, n), 'utf8')) as CommitRecord;
  } catch {
    return null;
  }
}

/** A commit's state alone: cheap where the state file exists. */
export function readRecordState(p: VmPaths, n: number): CommitState | null {
  return readStateFile(p, n) ?? parseRecord(p, n)?.state ?? null;
}

/**
 * The record of commit n, or null when there is none (a crash before the plan was written).
 * Where a state file exists the plan was written before it: the plan is then read only when
 * one of its fields is.
 */
export function readRecord(p: VmPaths, n: number): CommitRecord | null {
  const state = readStateFile(p, n);
  if (state === null) return parseRecord(p, n);
  let plan: CommitRecord | null = null;
  const load = (): CommitRecord => {
    plan ??= parseRecord(p, n);
    if (!plan) throw new Error(`${recordFile(p, n)}: unreadable commit record`);
    return plan;
  };
  return {
    n,
    state,
    get created() {
      return load().created;
    },
    get ops() {
      return load().ops;
    },
    get changes() {
      return load().changes;
    },
  };
}

export function writeRecord(p: VmPaths, rec: CommitRecord): void {
  fs.mkdirSync(commitDir(p, rec.n), { recursive: true, mode: 0o700 });
  // Compact: the plan of a commit of 10,000 files is read by uncommit and by recovery.
  writeFileAtomicSync(recordFile(p, rec.n), `${JSON.stringify(rec)}\n`);
  // A state file overrides the record's state: keep the two in agreement.
  if (readStateFile(p, rec.n) !== null) writeRecordState(p, rec.n, rec.state);
}

/** Moves commit n to another state, atomically. */
export function writeRecordState(p: VmPaths, n: number, state: CommitState): void {
  writeFileAtomicSync(stateFile(p, n), `${state}\n`, 0o600);
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

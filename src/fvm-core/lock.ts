import fs from 'node:fs';
import { FvmError } from '../shared/errors.js';
import { isAlive, readBootId, readProcStat } from './proc.js';

interface LockOwner {
  readonly pid: number;
  readonly startTime: number;
  readonly bootId: string;
  readonly op: string;
}

export interface Lock {
  release(): void;
}

const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepBuf, 0, 0, ms);
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/** A lock owned by a process that is gone (crash, kill -9, reboot) may be taken over. */
function isStale(owner: LockOwner | null, bootId: string): boolean {
  if (!owner || typeof owner.pid !== 'number') return true;
  if (owner.bootId !== bootId) return true;
  return !isAlive(owner.pid, owner.startTime);
}

/**
 * Takes an exclusive lock file (O_EXCL create) naming its owner; waits up to `waitMs`.
 *
 * Node has no flock(2), and a lock must survive across the CLI and the app; the owner's pid and
 * start time make a stale lock recognisable without trusting timestamps.
 */
export function acquireLock(file: string, op: string, what: string, waitMs = 10_000): Lock {
  const me = readProcStat(process.pid);
  const bootId = readBootId();
  const owner: LockOwner = { pid: process.pid, startTime: me?.startTime ?? 0, bootId, op };
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, JSON.stringify(owner));
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const cur = readOwner(file);
          if (cur && cur.pid === owner.pid && cur.startTime === owner.startTime) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const cur = readOwner(file);
    if (isStale(cur, bootId)) {
      // Move the stale lock aside under a unique name, so two takers cannot both delete a fresh one.
      const aside = `${file}.stale.${process.pid}.${Date.now()}`;
      try {
        fs.renameSync(file, aside);
        const moved = readOwner(aside);
        if (moved && !isStale(moved, bootId)) fs.renameSync(aside, file);
        else fs.rmSync(aside, { force: true });
      } catch {
        // Someone else handled it; try again.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new FvmError(
        'VM_BUSY',
        `${what} is busy: process ${cur?.pid} is running '${cur?.op}'`,
        'Wait for that operation to finish (the app or another fvm command), then try again.',
      );
    }
    sleepSync(25);
  }
}

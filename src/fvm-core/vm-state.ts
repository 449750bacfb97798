import fs from 'node:fs';
import path from 'node:path';
import type { VmState } from '../shared/types.js';
import type { VmPaths } from './repository.js';
import { isSuspendedMarker, readLiveRuntime, readRecordedRuntime, type Runtime } from './runtime.js';
import { readProcStat } from './proc.js';
import { removeCgroup } from './cgroup.js';

export interface LiveState {
  readonly state: VmState;
  readonly runtime: Runtime | null;
}

/** The VM's state from its runtime record, checked against the live system. */
export function readState(p: VmPaths): LiveState {
  const rt = readLiveRuntime(p);
  if (!rt) return { state: 'stopped', runtime: null };
  return { state: isSuspendedMarker(p) ? 'suspended' : 'running', runtime: rt };
}

/**
 * Clears what a VM that died without the engine (kill -9, reboot) left in run/: its record, a
 * stray slirp4netns, an empty cgroup. Files, registry delta and deletion logs are untouched.
 */
export function clearStaleRuntime(p: VmPaths): void {
  if (readLiveRuntime(p)) return;
  const rec = readRecordedRuntime(p);
  if (rec?.slirpPid) {
    const s = readProcStat(rec.slirpPid);
    if (s && s.startTime === rec.slirpStart) {
      try {
        process.kill(rec.slirpPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  removeCgroup(rec?.cgroup ?? null);
  if (fs.existsSync(p.run)) {
    for (const f of fs.readdirSync(p.run)) fs.rmSync(path.join(p.run, f), { recursive: true, force: true });
  }
}

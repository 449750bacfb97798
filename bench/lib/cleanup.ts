/**
 * The runner's last sweep over a figure's temporary directory: every FVM repository found in
 * it gets each VM that is still running (or suspended) stopped, so that a figure that crashed
 * half-way never leaves a VM's init or its mounts behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../src/fvm-core/engine.js';
import { readState } from '../../src/fvm-core/vm-state.js';

/** Directories below `dir` (at most `depth` levels) that hold an FVM repository. */
export function findRepositories(dir: string, depth = 4): string[] {
  const out: string[] = [];
  let level = [dir];
  for (let d = 0; d <= depth && level.length; d++) {
    const next: string[] = [];
    for (const p of level) {
      if (fs.existsSync(path.join(p, 'repo.json')) && fs.existsSync(path.join(p, 'vms'))) {
        out.push(p);
        continue;
      }
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(p, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) if (e.isDirectory()) next.push(path.join(p, e.name));
    }
    level = next;
  }
  return out;
}

export async function stopVmsUnder(dir: string, log: (m: string) => void): Promise<void> {
  for (const home of findRepositories(dir)) {
    const engine = openEngine({ home, lingerSeconds: 0 });
    for (const m of engine.repo.list()) {
      const { state } = readState(engine.repo.paths(m.id));
      if (state === 'stopped') continue;
      log(`cleanup: stopping VM '${m.name}' (${state}) left running in ${home}`);
      try {
        await engine.stop(m.name);
      } catch (err) {
        log(`warning: cannot stop VM '${m.name}': ${(err as Error).message}`);
      }
    }
  }
}

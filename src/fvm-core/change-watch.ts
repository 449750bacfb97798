/**
 * The live change feed: chokidar on the upper tree of each running VM, batched, mapped back to
 * host paths and classified against the host. Pushed as 'fs:changed' {vm, changes}.
 *
 * One watch per file and directory (inotify); the upper tree holds only what the VM changed,
 * so even a busy installer stays far below the per-user watch limit.
 */
import fs from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import type { Change } from '../shared/types.js';
import { hostPathOf } from '../redirect/host-path.js';
import { isWhiteoutStat } from '../redirect/host-view.js';

export interface WatchTarget {
  readonly vm: string;
  readonly fsDir: string;
}

function classify(hostPath: string, upper: string, removed: boolean): Change | null {
  let ust: fs.Stats | undefined;
  try {
    ust = fs.lstatSync(upper);
  } catch {
    ust = undefined;
  }
  const hst = fs.lstatSync(hostPath, { throwIfNoEntry: false });
  if (removed || !ust) {
    // Gone from the upper tree: a file the VM created and deleted again, or a commit moved it.
    return null;
  }
  if (isWhiteoutStat(ust)) return hst ? { kind: 'deleted', path: hostPath, type: hst.isDirectory() ? 'dir' : 'file', size: 0 } : null;
  const type = ust.isDirectory() ? 'dir' : ust.isSymbolicLink() ? 'symlink' : ust.isFile() ? 'file' : 'other';
  return { kind: hst ? 'modified' : 'added', path: hostPath, type, size: ust.isFile() ? ust.size : 0 };
}

export class ChangeWatch {
  private readonly watchers = new Map<string, { watcher: FSWatcher; pending: Map<string, boolean>; timer: NodeJS.Timeout | null }>();

  constructor(
    private readonly emit: (vm: string, changes: Change[]) => void,
    private readonly batchMs = 120,
  ) {}

  /** Watches exactly the given VMs: starts new watches, stops those no longer listed. */
  sync(targets: readonly WatchTarget[]): void {
    const want = new Map(targets.map((t) => [t.vm, t]));
    for (const [vm, w] of this.watchers) {
      if (!want.has(vm)) {
        void w.watcher.close();
        if (w.timer) clearTimeout(w.timer);
        this.watchers.delete(vm);
      }
    }
    for (const t of targets) {
      if (this.watchers.has(t.vm)) continue;
      const pending = new Map<string, boolean>();
      const watcher = watch(t.fsDir, { ignoreInitial: true, persistent: false, followSymlinks: false, alwaysStat: false });
      const entry = { watcher, pending, timer: null as NodeJS.Timeout | null };
      const note = (removed: boolean) => (p: string) => {
        pending.set(p, removed);
        if (!entry.timer) entry.timer = setTimeout(() => this.flush(t, entry), this.batchMs);
      };
      watcher.on('add', note(false)).on('addDir', note(false)).on('change', note(false)).on('unlink', note(true)).on('unlinkDir', note(true));
      watcher.on('error', () => undefined); // ENOSPC on the watch limit: the feed thins, the diff stays exact
      this.watchers.set(t.vm, entry);
    }
  }

  private flush(t: WatchTarget, entry: { pending: Map<string, boolean>; timer: NodeJS.Timeout | null }): void {
    entry.timer = null;
    const changes: Change[] = [];
    for (const [upper, removed] of entry.pending) {
      if (upper === t.fsDir) continue;
      const c = classify(hostPathOf(t.fsDir, upper), upper, removed);
      if (c) changes.push(c);
    }
    entry.pending.clear();
    if (changes.length) this.emit(t.vm, changes);
  }

  close(): void {
    this.sync([]);
  }
}

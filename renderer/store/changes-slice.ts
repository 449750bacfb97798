/**
 * The selected VM's changes: the diff from `vm:diff`, the live feed from 'fs:changed' on top of
 * it, and the checked rows for a selective commit.
 *
 * Built for 100,000 rows: events are buffered and applied in batches (one array copy and one
 * render per batch, not per event), and rows are found by path through an index kept outside
 * the state, since nothing renders it, and built only once a live change or a re-diff needs it.
 */
import type { EventPayloads } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { Change } from '../../src/shared/types.js';
import type { SliceCreator } from './app-state.js';

export interface ChangeRow extends Change {
  /** Reported by the live feed since the last diff (the diff is the authority). */
  readonly live: boolean;
}

export interface ChangesState {
  readonly vm: string | null;
  readonly rows: readonly ChangeRow[];
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly error: ErrorData | null;
  readonly checked: ReadonlySet<string>;
  readonly liveCount: number;
  /** Bumped by each applied batch, so views can tell "new rows arrived". */
  readonly version: number;
}

export interface CommitOptions {
  /** Commit despite host files that changed since the VM copied them. */
  readonly force: boolean;
  /** Stop the VM first (commit needs it stopped; its programs are ended). */
  readonly stopFirst: boolean;
}

export interface ChangesSlice {
  readonly changes: ChangesState;
  resetChanges(vm: string | null): void;
  loadDiff(): Promise<void>;
  receiveFsChanged(event: EventPayloads['fs:changed']): void;
  /**
   * Diffs again soon, once, if the diff was loaded: after a program exits or the VM stops, so
   * its changes show up even from an engine that reports no live file events.
   */
  scheduleDiff(): void;
  /** Applies buffered live changes now (the timer does it every CHANGES_BATCH_MS). */
  flushChanges(): void;
  toggleChecked(path: string): void;
  setChecked(paths: readonly string[], checked: boolean): void;
  clearChecked(): void;
  /** Commits the checked paths of the selected VM. Resolves to the error, if any. */
  commitChecked(options: CommitOptions): Promise<ErrorData | null>;
}

export const CHANGES_BATCH_MS = 120;
export const REDIFF_DELAY_MS = 400;

function emptyChanges(vm: string | null): ChangesState {
  return { vm, rows: [], status: 'idle', error: null, checked: new Set(), liveCount: 0, version: 0 };
}

export const createChangesSlice: SliceCreator<ChangesSlice> = ({ set, get, bridge }) => {
  /**
   * Row number by path, for the live feed and re-diffs. Built on first need, not by the diff:
   * 100,000 map entries would delay the first paint of rows and feed the garbage collector.
   */
  let index: Map<string, number> | null = null;
  let pending: Change[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let diffTimer: ReturnType<typeof setTimeout> | null = null;
  /** Changes on reset: answers for an earlier VM are dropped. */
  let epoch = 0;

  function rowIndex(rows: readonly ChangeRow[]): Map<string, number> {
    if (index === null) {
      index = new Map();
      for (let i = 0; i < rows.length; i++) index.set(rows[i].path, i);
    }
    return index;
  }

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  return {
    changes: emptyChanges(null),

    resetChanges(vm) {
      epoch++;
      cancelTimer();
      if (diffTimer !== null) clearTimeout(diffTimer);
      diffTimer = null;
      pending = [];
      index = null;
      set({ changes: emptyChanges(vm) });
    },

    async loadDiff() {
      const { vm, status: before } = get().changes;
      if (vm === null) return;
      const mine = epoch;
      // On a re-diff, rows that are new or different since the last look are marked live.
      const previousRows = get().changes.rows;
      const previous = before === 'ready' ? rowIndex(previousRows) : null;
      set((s) => ({ changes: { ...s.changes, status: 'loading', error: null } }));
      const result = await bridge.vmDiff({ name: vm });
      if (mine !== epoch) return;
      if (!result.ok) {
        set((s) => ({ changes: { ...s.changes, status: 'error', error: result.error } }));
        return;
      }
      const { changes } = result.value;
      const rows: ChangeRow[] = new Array(changes.length);
      let liveCount = 0;
      for (let i = 0; i < changes.length; i++) {
        const c = changes[i];
        const at = previous?.get(c.path);
        const old = at === undefined ? undefined : previousRows[at];
        const live = previous !== null && (!old || old.live || old.kind !== c.kind || old.size !== c.size);
        if (live) liveCount++;
        rows[i] = { kind: c.kind, path: c.path, type: c.type, size: c.size, live };
      }
      index = null;
      set((s) => {
        const checked = new Set<string>();
        if (s.changes.checked.size > 0) {
          const now = rowIndex(rows);
          for (const path of s.changes.checked) if (now.has(path)) checked.add(path);
        }
        return { changes: { ...s.changes, rows, status: 'ready', error: null, checked, liveCount, version: s.changes.version + 1 } };
      });
      // Live changes that arrived while the diff ran go on top of it.
      get().flushChanges();
    },

    scheduleDiff() {
      if (get().changes.status === 'idle' || diffTimer !== null) return;
      const mine = epoch;
      diffTimer = setTimeout(() => {
        diffTimer = null;
        if (mine === epoch) void get().loadDiff();
      }, REDIFF_DELAY_MS);
    },

    receiveFsChanged({ vm, changes }) {
      if (vm !== get().changes.vm || changes.length === 0) return;
      for (const c of changes) pending.push(c);
      if (timer === null) timer = setTimeout(() => get().flushChanges(), CHANGES_BATCH_MS);
    },

    flushChanges() {
      cancelTimer();
      // While a diff is loading, keep the batch for when it lands.
      if (pending.length === 0 || get().changes.status === 'loading') return;
      const batch = pending;
      pending = [];
      set((s) => {
        const rows = s.changes.rows.slice() as ChangeRow[];
        const byPath = rowIndex(s.changes.rows);
        let liveCount = s.changes.liveCount;
        for (const c of batch) {
          const row: ChangeRow = { kind: c.kind, path: c.path, type: c.type, size: c.size, live: true };
          const at = byPath.get(c.path);
          if (at === undefined) {
            byPath.set(c.path, rows.length);
            rows.push(row);
            liveCount++;
          } else {
            if (!rows[at].live) liveCount++;
            rows[at] = row;
          }
        }
        return { changes: { ...s.changes, rows, liveCount, version: s.changes.version + 1 } };
      });
    },

    toggleChecked(path) {
      set((s) => {
        const checked = new Set(s.changes.checked);
        if (checked.has(path)) checked.delete(path);
        else checked.add(path);
        return { changes: { ...s.changes, checked } };
      });
    },

    setChecked(paths, value) {
      set((s) => {
        const checked = new Set(s.changes.checked);
        if (value) for (const p of paths) checked.add(p);
        else for (const p of paths) checked.delete(p);
        return { changes: { ...s.changes, checked } };
      });
    },

    clearChecked() {
      set((s) => ({ changes: { ...s.changes, checked: new Set() } }));
    },

    async commitChecked({ force, stopFirst }) {
      const { vm, checked } = get().changes;
      if (vm === null || checked.size === 0) {
        return { code: 'USAGE', message: 'commit: no change is checked', hint: 'Check the changes to copy to the host first.' };
      }
      const paths = [...checked];
      const label = `Committing ${paths.length === 1 ? '1 change' : `${paths.length} changes`}`;
      get().setBusy(vm, label);
      try {
        if (stopFirst) {
          const stopped = await bridge.vmStop({ name: vm });
          if (!stopped.ok) return stopped.error;
          get().applyVmInfo(stopped.value);
          get().clearProcesses(vm);
        }
        const result = await bridge.vmCommit({ name: vm, paths, force });
        if (!result.ok) return result.error;
        const n = result.value.applied.length;
        get().reportInfo(`Committed to the host`, `${n === 1 ? '1 change' : `${n} changes`} from ${vm} (commit #${result.value.commit ?? '?'}; Undo commit reverts it).`);
      } finally {
        get().setBusy(vm, null);
      }
      if (get().changes.vm === vm) {
        get().clearChecked();
        void get().loadDiff();
      }
      void get().refreshInfo();
      get().scheduleRefreshVms();
      return null;
    },
  };
};

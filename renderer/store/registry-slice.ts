/**
 * The selected VM's Windows registry changes (`reg:diff`), grouped by key, with the keys checked
 * for a selective commit (`vm:commit {keys}`).
 *
 * A diff costs a read of every hive the VM follows, so it is loaded when the Registry tab opens
 * and refreshed, after a short delay, when the VM's state changes or a program ends while the
 * tab shows; on another tab it is only marked stale and loaded again when the tab opens.
 */
import type { ErrorData } from '../../src/shared/errors.js';
import type { RegistryChange } from '../../src/shared/types.js';
import { groupRegistryChanges } from '../lib/registry-groups.js';
import type { RegistryKeyGroup } from '../lib/registry-groups.js';
import type { SliceCreator } from './app-state.js';

/** The two views of the Registry tab. */
export type RegistryPane = 'changes' | 'browse';

/** What the last commit of registry keys carried to the host. */
export interface RegistryCommitSummary {
  readonly commit: number | null;
  readonly keys: readonly string[];
  readonly changes: readonly RegistryChange[];
}

export interface RegistryState {
  readonly vm: string | null;
  readonly pane: RegistryPane;
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly error: ErrorData | null;
  readonly groups: readonly RegistryKeyGroup[];
  /** Per-key and per-value changes in all. */
  readonly changeCount: number;
  /** Show Wine's own noise (timestamps, device and font caches) too. */
  readonly includeNoise: boolean;
  /** Key paths checked for commit (what `vm:commit` takes; a key takes its subkeys along). */
  readonly checked: ReadonlySet<string>;
  /** The VM changed since this diff was made. */
  readonly stale: boolean;
  readonly lastCommit: RegistryCommitSummary | null;
}

export interface RegistrySlice {
  readonly registry: RegistryState;
  resetRegistry(vm: string | null): void;
  /** The Registry tab opened: loads what its pane shows, if not loaded or stale. */
  openRegistry(): void;
  setRegistryPane(pane: RegistryPane): void;
  loadRegistry(): Promise<void>;
  setRegistryNoise(includeNoise: boolean): void;
  /** The diff no longer says what the VM holds: load it again when the Changes pane shows. */
  markRegistryStale(): void;
  /** The VM changed (state, a run ended, an edit): refresh soon if the tab shows, else mark stale. */
  scheduleRegistry(vm: string): void;
  toggleRegistryKey(key: string): void;
  setRegistryKeys(keys: readonly string[], checked: boolean): void;
  clearRegistryKeys(): void;
  /** Commits the checked keys of the selected VM, and no file. Resolves to the error, if any. */
  commitRegistryKeys(): Promise<ErrorData | null>;
  dismissRegistryCommit(): void;
}

export const REGISTRY_REFRESH_MS = 1000;

function emptyRegistry(vm: string | null, pane: RegistryPane = 'changes', includeNoise = false): RegistryState {
  return { vm, pane, status: 'idle', error: null, groups: [], changeCount: 0, includeNoise, checked: new Set(), stale: false, lastCommit: null };
}

export const createRegistrySlice: SliceCreator<RegistrySlice> = ({ set, get, bridge }) => {
  /** Bumped on reset: answers for an earlier VM are dropped. */
  let epoch = 0;
  /** Bumped by each load: only the latest answer lands (the noise toggle may overtake a load). */
  let request = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  /**
   * The VM's registry changed: reloads what the pane on show has loaded, and marks the other
   * pane's data stale (each answer reads the VM's hives: the other pane reloads when it opens).
   */
  function refreshLoaded(): void {
    if (get().registry.pane === 'changes') {
      if (get().registry.status !== 'idle') void get().loadRegistry();
      get().markRegistryKeyStale();
    } else {
      if (get().registryBrowse.status !== 'idle') void get().reloadRegistryKey();
      get().markRegistryStale();
    }
  }

  return {
    registry: emptyRegistry(null),

    resetRegistry(vm) {
      epoch++;
      cancelTimer();
      // The pane and the noise toggle are the user's choice, not the VM's.
      const { pane, includeNoise } = get().registry;
      set({ registry: emptyRegistry(vm, pane, includeNoise) });
      get().resetRegistryBrowse(vm);
    },

    openRegistry() {
      const { registry, registryBrowse } = get();
      if (registry.vm === null) return;
      if (registry.pane === 'changes' && (registry.status === 'idle' || registry.stale)) void get().loadRegistry();
      if (registry.pane === 'browse' && (registryBrowse.status === 'idle' || registryBrowse.stale)) void get().reloadRegistryKey();
    },

    setRegistryPane(pane) {
      set((s) => ({ registry: { ...s.registry, pane } }));
      get().openRegistry();
    },

    async loadRegistry() {
      const { vm, includeNoise } = get().registry;
      if (vm === null) return;
      cancelTimer();
      const mine = epoch;
      const req = ++request;
      set((s) => ({ registry: { ...s.registry, status: 'loading', error: null, stale: false } }));
      const result = await bridge.regDiff({ name: vm, includeNoise });
      if (mine !== epoch || req !== request) return;
      if (!result.ok) {
        set((s) => ({ registry: { ...s.registry, status: 'error', error: result.error } }));
        return;
      }
      const groups = groupRegistryChanges(result.value.changes);
      set((s) => {
        // A checked key that is no longer changed cannot be committed: drop it.
        const present = new Set(groups.map((g) => g.key));
        const checked = new Set([...s.registry.checked].filter((k) => present.has(k)));
        return { registry: { ...s.registry, status: 'ready', error: null, groups, changeCount: result.value.changes.length, checked } };
      });
    },

    setRegistryNoise(includeNoise) {
      set((s) => ({ registry: { ...s.registry, includeNoise } }));
      void get().loadRegistry();
    },

    markRegistryStale() {
      const { registry } = get();
      if (registry.status === 'idle' || registry.stale) return;
      if (get().detailTab === 'registry' && registry.pane === 'changes') void get().loadRegistry();
      else set((s) => ({ registry: { ...s.registry, stale: true } }));
    },

    scheduleRegistry(vm) {
      const { registry, registryBrowse } = get();
      if (vm !== registry.vm || (registry.status === 'idle' && registryBrowse.status === 'idle')) return;
      if (get().detailTab !== 'registry') {
        if (registry.status !== 'idle' && !registry.stale) set((s) => ({ registry: { ...s.registry, stale: true } }));
        get().markRegistryKeyStale();
        return;
      }
      if (timer !== null) return;
      const mine = epoch;
      // An installer ends dozens of processes: one read per quiet spell, never two at once.
      const tick = () => {
        timer = null;
        if (mine !== epoch) return;
        const s = get();
        const busy = s.registry.pane === 'changes' ? s.registry.status === 'loading' : s.registryBrowse.status === 'loading';
        if (busy) timer = setTimeout(tick, REGISTRY_REFRESH_MS);
        else refreshLoaded();
      };
      timer = setTimeout(tick, REGISTRY_REFRESH_MS);
    },

    toggleRegistryKey(key) {
      set((s) => {
        const checked = new Set(s.registry.checked);
        if (checked.has(key)) checked.delete(key);
        else checked.add(key);
        return { registry: { ...s.registry, checked } };
      });
    },

    setRegistryKeys(keys, value) {
      set((s) => {
        const checked = new Set(s.registry.checked);
        for (const k of keys) {
          if (value) checked.add(k);
          else checked.delete(k);
        }
        return { registry: { ...s.registry, checked } };
      });
    },

    clearRegistryKeys() {
      set((s) => ({ registry: { ...s.registry, checked: new Set() } }));
    },

    async commitRegistryKeys() {
      const { vm, checked } = get().registry;
      if (vm === null || checked.size === 0) {
        return { code: 'USAGE', message: 'commit: no registry key is checked', hint: 'Check the keys to copy to the host first.' };
      }
      const keys = [...checked];
      get().setBusy(vm, `Committing ${keys.length === 1 ? '1 registry key' : `${keys.length} registry keys`}`);
      let summary: RegistryCommitSummary;
      try {
        // Keys only: with `keys` and no `paths`, the engine commits no file.
        const result = await bridge.vmCommit({ name: vm, keys });
        if (!result.ok) return result.error;
        summary = { commit: result.value.commit, keys, changes: result.value.registry };
      } finally {
        get().setBusy(vm, null);
      }
      const n = summary.changes.length;
      get().reportInfo('Committed to the host', `${n === 1 ? '1 registry change' : `${n} registry changes`} from ${vm} (commit #${summary.commit ?? '?'}; Undo commit reverts it).`);
      if (get().registry.vm === vm) {
        set((s) => ({ registry: { ...s.registry, checked: new Set(), lastCommit: summary } }));
        refreshLoaded();
      }
      void get().refreshInfo();
      get().scheduleRefreshVms();
      get().scheduleReport(vm);
      return null;
    },

    dismissRegistryCommit() {
      set((s) => ({ registry: { ...s.registry, lastCommit: null } }));
    },
  };
};

/**
 * The Browse view of the selected VM's registry: one key at a time (`reg:query`, not
 * recursive: a recursive query of HKLM\Software reads tens of thousands of keys), and the edits
 * made on it (`reg:add`, `reg:delete`), which land in the VM's delta, never on the host.
 */
import type { ErrorData } from '../../src/shared/errors.js';
import type { RegistryKeyInfo, RegWritableType } from '../../src/shared/types.js';
import { isKeyWithin, normalizeKeyPath, parentKeyPath } from '../lib/registry-path.js';
import type { SliceCreator } from './app-state.js';

export type RegistryView = '64' | '32';

export interface RegistryBrowseState {
  readonly vm: string | null;
  /** The key as the user named it; in the 32-bit view the engine may store it elsewhere (`key.key`). */
  readonly path: string;
  readonly view: RegistryView;
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly error: ErrorData | null;
  readonly key: RegistryKeyInfo | null;
  /** The path `key` answers: while another key loads, the last one stays on show. */
  readonly keyPath: string | null;
  /** The Wine prefix the answer came from. */
  readonly prefix: string | null;
  readonly stale: boolean;
}

export interface RegistryValueInput {
  readonly name: string;
  readonly type: RegWritableType;
  readonly data: string;
}

export interface RegistryBrowseSlice {
  readonly registryBrowse: RegistryBrowseState;
  resetRegistryBrowse(vm: string | null): void;
  /** Shows a key (its values and subkeys). */
  browseRegistryKey(path: string): Promise<void>;
  reloadRegistryKey(): Promise<void>;
  setRegistryView(view: RegistryView): void;
  markRegistryKeyStale(): void;
  /** Creates a key (and its parents) in the VM, then shows it. */
  createRegistryKey(path: string): Promise<ErrorData | null>;
  /** Adds or replaces a value of the key shown. */
  setRegistryValue(value: RegistryValueInput): Promise<ErrorData | null>;
  /** Deletes a value of a key, or with no value the key and its subtree (then shows its parent). */
  deleteRegistryEntry(key: string, value?: string): Promise<ErrorData | null>;
}

export const DEFAULT_REGISTRY_KEY = 'HKCU\\Software';

function emptyBrowse(vm: string | null, path = DEFAULT_REGISTRY_KEY, view: RegistryView = '64'): RegistryBrowseState {
  return { vm, path, view, status: 'idle', error: null, key: null, keyPath: null, prefix: null, stale: false };
}

export const createRegistryBrowseSlice: SliceCreator<RegistryBrowseSlice> = ({ set, get, bridge }) => {
  let epoch = 0;
  /** Only the latest query lands: a fast walk down the tree overtakes slower answers. */
  let request = 0;

  /** After an edit: the diff (and the report) no longer say what the VM holds. */
  function afterEdit(vm: string): void {
    get().markRegistryStale();
    get().scheduleReport(vm);
  }

  return {
    registryBrowse: emptyBrowse(null),

    resetRegistryBrowse(vm) {
      epoch++;
      // Keep the place and the view: the same key in another VM is what one compares.
      const { path, view } = get().registryBrowse;
      set({ registryBrowse: emptyBrowse(vm, path, view) });
    },

    async browseRegistryKey(input) {
      const { vm, view } = get().registryBrowse;
      if (vm === null) return;
      const path = normalizeKeyPath(input) || input;
      const mine = epoch;
      const req = ++request;
      set((s) => ({ registryBrowse: { ...s.registryBrowse, path, status: 'loading', error: null, stale: false } }));
      const result = await bridge.regQuery({ name: vm, key: path, view });
      if (mine !== epoch || req !== request) return;
      if (result.ok) {
        const key = result.value.keys[0] ?? { key: path, values: [], subkeys: [] };
        set((s) => ({ registryBrowse: { ...s.registryBrowse, status: 'ready', key, keyPath: path, prefix: result.value.prefix } }));
      } else {
        set((s) => ({ registryBrowse: { ...s.registryBrowse, status: 'error', error: result.error, key: null, keyPath: null } }));
      }
    },

    reloadRegistryKey() {
      return get().browseRegistryKey(get().registryBrowse.path);
    },

    setRegistryView(view) {
      set((s) => ({ registryBrowse: { ...s.registryBrowse, view } }));
      void get().reloadRegistryKey();
    },

    markRegistryKeyStale() {
      if (get().registryBrowse.status !== 'idle' && !get().registryBrowse.stale) set((s) => ({ registryBrowse: { ...s.registryBrowse, stale: true } }));
    },

    async createRegistryKey(input) {
      const { vm, view } = get().registryBrowse;
      if (vm === null) return null;
      const path = normalizeKeyPath(input) || input;
      const result = await bridge.regAdd({ name: vm, key: path, view });
      if (!result.ok) return result.error;
      afterEdit(vm);
      await get().browseRegistryKey(path);
      return null;
    },

    async setRegistryValue(value) {
      const { vm, view, path, keyPath } = get().registryBrowse;
      if (vm === null) return null;
      const result = await bridge.regAdd({ name: vm, key: keyPath ?? path, view, value: { name: value.name, type: value.type, data: value.data } });
      if (!result.ok) return result.error;
      afterEdit(vm);
      await get().reloadRegistryKey();
      return null;
    },

    async deleteRegistryEntry(key, value) {
      const { vm, view } = get().registryBrowse;
      if (vm === null) return null;
      const result = await bridge.regDelete(value === undefined ? { name: vm, key, view } : { name: vm, key, view, value });
      if (!result.ok) return result.error;
      afterEdit(vm);
      // A deleted key (or one below it) cannot be shown: go up to its parent.
      if (value === undefined && isKeyWithin(normalizeKeyPath(get().registryBrowse.path), normalizeKeyPath(key))) {
        await get().browseRegistryKey(parentKeyPath(key) ?? key);
      } else {
        await get().reloadRegistryKey();
      }
      return null;
    },
  };
};

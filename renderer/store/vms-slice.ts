/** The VM list and the lifecycle actions on one VM (create, run, suspend, resume, stop, copy, delete). */
import type { OperationInput } from '../../src/shared/contract.js';
import type { EventPayloads } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { VmInfo, VmSummary } from '../../src/shared/types.js';
import type { SliceCreator } from './app-state.js';

export type RunRequest = Omit<OperationInput<'vm:run'>, 'name'>;

export interface VmsSlice {
  readonly vms: readonly VmSummary[];
  readonly vmsStatus: 'idle' | 'loading' | 'ready' | 'error';
  readonly vmsError: ErrorData | null;
  refreshVms(): Promise<void>;
  /** Coalesces bursts of events into one refresh. */
  scheduleRefreshVms(delayMs?: number): void;
  /** Creates a VM, selects it and, when `then` is given, runs that in it. Resolves to the create error, if any. */
  createVm(input: OperationInput<'vm:create'>, then?: RunRequest): Promise<ErrorData | null>;
  runInVm(vm: string, request: RunRequest): Promise<ErrorData | null>;
  suspendVm(name: string): Promise<void>;
  resumeVm(name: string): Promise<void>;
  stopVm(name: string): Promise<boolean>;
  copyVm(source: string, target: string): Promise<ErrorData | null>;
  /** Writes a stopped VM to one bundle file (for a memory stick). */
  exportVm(name: string, file: string): Promise<ErrorData | null>;
  /** Imports a bundle as a new VM, relocated to this user's home; selects it. */
  importVm(file: string, name?: string): Promise<ErrorData | null>;
  deleteVm(name: string): Promise<ErrorData | null>;
  uncommitVm(name: string): Promise<ErrorData | null>;
  /** A fresh VmInfo from any operation: keeps the list and the detail pane in step. */
  applyVmInfo(info: VmInfo): void;
  applyVmState(event: EventPayloads['vm:state']): void;
  adjustProcessCount(vm: string, delta: number): void;
}

/** While a VM runs its init may stop it when idle, with no event: poll while any VM is up. */
const POLL_WHILE_RUNNING_MS = 4000;

function toSummary(info: VmInfo): VmSummary {
  const { name, id, state, sizeBytes, created, processCount } = info;
  return { name, id, state, sizeBytes, created, processCount };
}

function byName(a: VmSummary, b: VmSummary): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export const createVmsSlice: SliceCreator<VmsSlice> = ({ set, get, bridge }) => {
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let refreshDue = 0;
  let refreshing: Promise<void> | null = null;
  let refreshAgain = false;

  async function refreshOnce(): Promise<void> {
    if (get().vmsStatus !== 'ready') set({ vmsStatus: 'loading' });
    const result = await bridge.vmList({});
    if (!result.ok) {
      set({ vmsStatus: 'error', vmsError: result.error });
      return;
    }
    const vms = [...result.value.vms].sort(byName);
    set({ vms, vmsStatus: 'ready', vmsError: null });
    const selected = get().selectedVm;
    if (selected !== null && !vms.some((v) => v.name === selected)) get().selectVm(null);
    if (vms.some((v) => v.state !== 'stopped')) get().scheduleRefreshVms(POLL_WHILE_RUNNING_MS);
  }

  /** Runs `op` with a busy marker on `vm`; reports the error unless the caller shows it inline. */
  async function withBusy<T>(vm: string, label: string, op: () => Promise<T>): Promise<T> {
    get().setBusy(vm, label);
    try {
      return await op();
    } finally {
      get().setBusy(vm, null);
    }
  }

  return {
    vms: [],
    vmsStatus: 'idle',
    vmsError: null,

    refreshVms() {
      // One request at a time; a refresh asked for meanwhile runs once after it.
      if (refreshing) {
        refreshAgain = true;
        return refreshing;
      }
      refreshing = (async () => {
        try {
          do {
            refreshAgain = false;
            await refreshOnce();
          } while (refreshAgain);
        } finally {
          refreshing = null;
        }
      })();
      return refreshing;
    },

    scheduleRefreshVms(delayMs = 300) {
      const due = Date.now() + delayMs;
      if (refreshTimer !== null) {
        if (refreshDue <= due) return;
        clearTimeout(refreshTimer);
      }
      refreshDue = due;
      refreshTimer = setTimeout(() => {
        refreshTimer = null;
        void get().refreshVms();
      }, delayMs);
    },

    async createVm(input, then) {
      const result = await bridge.vmCreate(input);
      if (!result.ok) return result.error;
      get().applyVmInfo(result.value);
      get().selectVm(result.value.name);
      if (!then) return null;
      // The VM exists now whatever happens next: a failed run is a notice, not a failed create.
      const runError = await get().runInVm(result.value.name, then);
      if (runError) get().reportError(`Run in ${result.value.name}`, runError);
      return null;
    },

    async runInVm(vm, request) {
      const result = await bridge.vmRun({ name: vm, ...request });
      if (!result.ok) return result.error;
      get().selectVm(vm);
      // Show what the program does, unless the user is already watching its changes.
      if (get().detailTab !== 'changes') get().setDetailTab('processes');
      get().scheduleRefreshVms();
      void get().refreshProcesses(vm);
      return null;
    },

    async suspendVm(name) {
      const result = await withBusy(name, 'Suspending', () => bridge.vmSuspend({ name }));
      if (result.ok) get().applyVmInfo(result.value);
      else get().reportError(`Suspend ${name}`, result.error);
    },

    async resumeVm(name) {
      const result = await withBusy(name, 'Resuming', () => bridge.vmResume({ name }));
      if (result.ok) get().applyVmInfo(result.value);
      else get().reportError(`Resume ${name}`, result.error);
    },

    async stopVm(name) {
      const result = await withBusy(name, 'Stopping', () => bridge.vmStop({ name }));
      if (result.ok) {
        get().applyVmInfo(result.value);
        get().clearProcesses(name);
      } else {
        get().reportError(`Stop ${name}`, result.error);
      }
      return result.ok;
    },

    async copyVm(source, target) {
      const result = await withBusy(source, `Copying to ${target}`, () => bridge.vmCopy({ source, target }));
      if (!result.ok) return result.error;
      get().applyVmInfo(result.value);
      get().selectVm(result.value.name);
      get().reportInfo(`Copied ${source}`, `${target} is an independent copy of ${source}.`);
      return null;
    },

    async exportVm(name, file) {
      const result = await withBusy(name, 'Exporting', () => bridge.vmExport({ name, file }));
      if (!result.ok) return result.error;
      get().reportInfo(`Exported ${name}`, `${result.value.entries} entries, ${result.value.bytes} bytes written to ${result.value.file}.`);
      return null;
    },

    async importVm(file, name) {
      const result = await bridge.vmImport(name ? { file, name } : { file });
      if (!result.ok) return result.error;
      get().applyVmInfo(result.value.vm);
      get().selectVm(result.value.vm.name);
      get().reportInfo(`Imported ${result.value.vm.name}`, `From ${result.value.source.user}@${result.value.source.hostname} (${result.value.file}).`);
      return null;
    },

    async deleteVm(name) {
      const result = await withBusy(name, 'Deleting', () => bridge.vmDelete({ name }));
      if (!result.ok) return result.error;
      set((s) => ({ vms: s.vms.filter((v) => v.name !== name) }));
      if (get().selectedVm === name) get().selectVm(null);
      get().clearProcesses(name);
      get().reportInfo(`Deleted ${name}`, 'The VM and every change it held are gone; the host was not touched.');
      return null;
    },

    async uncommitVm(name) {
      const result = await withBusy(name, 'Undoing the last commit', () => bridge.vmUncommit({ name }));
      if (!result.ok) return result.error;
      get().reportInfo(`Undid commit #${result.value.commit} of ${name}`, `${result.value.restored} host paths restored.`);
      if (get().selectedVm === name) {
        void get().refreshInfo();
        void get().loadDiff();
        // The keys it put back in the host's hives are the VM's changes again.
        get().scheduleRegistry(name);
      }
      return null;
    },

    applyVmInfo(info) {
      set((s) => {
        const summary = toSummary(info);
        const exists = s.vms.some((v) => v.name === info.name);
        const vms = exists ? s.vms.map((v) => (v.name === info.name ? summary : v)) : [...s.vms, summary].sort(byName);
        return s.selectedVm === info.name ? { vms, info, infoError: null } : { vms };
      });
      if (info.state !== 'stopped') get().scheduleRefreshVms(POLL_WHILE_RUNNING_MS);
    },

    applyVmState({ vm, state }) {
      if (state === 'deleted') {
        set((s) => ({ vms: s.vms.filter((v) => v.name !== vm) }));
        if (get().selectedVm === vm) get().selectVm(null);
        get().clearProcesses(vm);
        return;
      }
      const known = get().vms.some((v) => v.name === vm);
      set((s) => ({
        vms: s.vms.map((v) => (v.name === vm ? { ...v, state, processCount: state === 'stopped' ? 0 : v.processCount } : v)),
        info: s.info && s.info.name === vm ? { ...s.info, state } : s.info,
      }));
      if (state === 'stopped') get().clearProcesses(vm);
      // A VM we have not seen (created by the CLI, or a copy) or new sizes: ask for the list.
      get().scheduleRefreshVms(known ? 800 : 100);
      if (get().selectedVm === vm) void get().refreshInfo();
    },

    adjustProcessCount(vm, delta) {
      set((s) => ({
        vms: s.vms.map((v) => (v.name === vm ? { ...v, processCount: Math.max(0, v.processCount + delta) } : v)),
      }));
    },
  };
};

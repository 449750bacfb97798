/** Which VM is open in the detail pane, which tab shows, and that VM's full info. */
import type { ErrorData } from '../../src/shared/errors.js';
import type { VmInfo } from '../../src/shared/types.js';
import type { SliceCreator } from './app-state.js';

export const DETAIL_TABS = ['processes', 'changes', 'registry', 'report', 'settings'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export interface DetailSlice {
  readonly selectedVm: string | null;
  readonly detailTab: DetailTab;
  /** VmInfo of the selected VM (config, path, commits); null until loaded. */
  readonly info: VmInfo | null;
  readonly infoError: ErrorData | null;
  selectVm(name: string | null): void;
  setDetailTab(tab: DetailTab): void;
  refreshInfo(): Promise<void>;
}

export const createDetailSlice: SliceCreator<DetailSlice> = ({ set, get, bridge }) => {
  /** Drops answers to requests made for a VM that is no longer selected. */
  let infoRequest = 0;

  function loadTab(tab: DetailTab, vm: string): void {
    if (tab === 'changes' && get().changes.status === 'idle') void get().loadDiff();
    if (tab === 'processes') void get().refreshProcesses(vm);
    if (tab === 'registry') get().openRegistry();
    if (tab === 'report' && (get().report.status === 'idle' || get().report.stale)) void get().loadReport();
  }

  return {
    selectedVm: null,
    detailTab: 'processes',
    info: null,
    infoError: null,

    selectVm(name) {
      if (name === get().selectedVm) return;
      set({ selectedVm: name, info: null, infoError: null });
      get().resetChanges(name);
      get().resetRegistry(name);
      get().resetReport(name);
      if (name === null) return;
      void get().refreshInfo();
      loadTab(get().detailTab, name);
    },

    setDetailTab(tab) {
      set({ detailTab: tab });
      const vm = get().selectedVm;
      if (vm !== null) loadTab(tab, vm);
    },

    async refreshInfo() {
      const vm = get().selectedVm;
      if (vm === null) return;
      const request = ++infoRequest;
      const result = await bridge.vmInfo({ name: vm });
      if (request !== infoRequest || get().selectedVm !== vm) return;
      if (result.ok) get().applyVmInfo(result.value);
      else set({ infoError: result.error });
    },
  };
};

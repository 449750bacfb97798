/**
 * The selected VM's report (`vm:report`): risk flags and a summary.
 *
 * A report costs a full diff, so it is loaded when the Report tab opens and refreshed, at most
 * once per REPORT_REFRESH_MS, when the VM's changes change while the tab shows; on another tab
 * it is only marked stale and loaded again when the tab opens.
 */
import type { ErrorData } from '../../src/shared/errors.js';
import type { VmReport } from '../../src/shared/types.js';
import type { SliceCreator } from './app-state.js';

export interface ReportState {
  readonly vm: string | null;
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly report: VmReport | null;
  readonly error: ErrorData | null;
  /** The VM changed since this report was made. */
  readonly stale: boolean;
}

export interface ReportSlice {
  readonly report: ReportState;
  resetReport(vm: string | null): void;
  loadReport(): Promise<void>;
  /** The VM's changes changed: refresh soon if the Report tab shows, else mark the report stale. */
  scheduleReport(vm: string): void;
}

export const REPORT_REFRESH_MS = 1500;

function emptyReport(vm: string | null): ReportState {
  return { vm, status: 'idle', report: null, error: null, stale: false };
}

export const createReportSlice: SliceCreator<ReportSlice> = ({ set, get, bridge }) => {
  /** Bumped on reset: answers for an earlier VM are dropped. */
  let epoch = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** A refresh was asked for while one was loading: load again when it lands. */
  let again = false;

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  return {
    report: emptyReport(null),

    resetReport(vm) {
      epoch++;
      cancelTimer();
      again = false;
      set({ report: emptyReport(vm) });
    },

    async loadReport() {
      const { vm } = get().report;
      if (vm === null) return;
      cancelTimer();
      if (get().report.status === 'loading') {
        again = true;
        return;
      }
      const mine = epoch;
      set((s) => ({ report: { ...s.report, status: 'loading', error: null, stale: false } }));
      const result = await bridge.vmReport({ name: vm });
      if (mine !== epoch) return;
      if (result.ok) set((s) => ({ report: { ...s.report, status: 'ready', report: result.value, error: null } }));
      else set((s) => ({ report: { ...s.report, status: 'error', error: result.error } }));
      if (again) {
        again = false;
        get().scheduleReport(vm);
      }
    },

    scheduleReport(vm) {
      const { report } = get();
      if (vm !== report.vm || report.status === 'idle') return;
      if (get().detailTab !== 'report') {
        if (!report.stale) set((s) => ({ report: { ...s.report, stale: true } }));
        return;
      }
      if (report.status === 'loading') {
        again = true;
        return;
      }
      if (timer !== null) return;
      const mine = epoch;
      timer = setTimeout(() => {
        timer = null;
        if (mine === epoch) void get().loadReport();
      }, REPORT_REFRESH_MS);
    },
  };
};

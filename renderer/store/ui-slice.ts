/** Dialogs, notices (errors with their hint), long operations in flight and their progress. */
import type { EventPayloads } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { SliceCreator } from './app-state.js';

export type DialogState =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly installer: string | null }
  | { readonly kind: 'run'; readonly vm: string }
  | { readonly kind: 'copy'; readonly vm: string }
  | { readonly kind: 'commit'; readonly vm: string }
  | { readonly kind: 'uncommit'; readonly vm: string }
  | { readonly kind: 'delete'; readonly vm: string }
  | { readonly kind: 'export'; readonly vm: string }
  | { readonly kind: 'reg-commit'; readonly vm: string }
  /** Delete a registry value, or with no `value` a key and its subtree, in the VM. */
  | { readonly kind: 'reg-delete'; readonly vm: string; readonly key: string; readonly value?: string }
  | { readonly kind: 'import' };

export interface Notice {
  readonly id: number;
  readonly tone: 'error' | 'info';
  /** What the user was doing, e.g. "Commit dev-box". */
  readonly title: string;
  readonly message: string;
  readonly hint: string;
  readonly code?: string;
}

/** A long operation on one VM; `total` 0 means no progress reported yet (indeterminate). */
export interface BusyOp {
  readonly label: string;
  readonly done: number;
  readonly total: number;
}

export interface UiSlice {
  readonly dialog: DialogState;
  readonly notices: readonly Notice[];
  readonly busy: Readonly<Record<string, BusyOp>>;
  readonly connectionLost: ErrorData | null;
  readonly transport: 'electron' | 'browser';
  /** Native file dialogs exist only in the desktop app; the browser asks for a typed path. */
  readonly canPickFiles: boolean;
  /** Asks for an installer with the native dialog; null when cancelled or unavailable. */
  pickInstallerFile(): Promise<string | null>;
  /** Asks where to write a bundle with the native dialog; null when cancelled or unavailable. */
  pickExportTarget(suggestedName: string): Promise<string | null>;
  openDialog(dialog: DialogState): void;
  closeDialog(): void;
  reportError(title: string, error: ErrorData): void;
  reportInfo(title: string, message: string): void;
  dismissNotice(id: number): void;
  setBusy(vm: string, label: string | null): void;
  receiveProgress(progress: EventPayloads['op:progress']): void;
  setConnectionLost(error: ErrorData): void;
}

const MAX_NOTICES = 6;
const INFO_TTL_MS = 6000;

export const createUiSlice: SliceCreator<UiSlice> = ({ set, get, bridge }) => {
  let nextNoticeId = 1;

  function push(notice: Omit<Notice, 'id'>): number {
    const id = nextNoticeId++;
    set((s) => ({ notices: [...s.notices, { ...notice, id }].slice(-MAX_NOTICES) }));
    return id;
  }

  return {
    dialog: { kind: 'none' },
    notices: [],
    busy: {},
    connectionLost: null,
    transport: bridge.transport,
    canPickFiles: typeof bridge.dialogPickInstaller === 'function',
    async pickInstallerFile() {
      if (!bridge.dialogPickInstaller) return null;
      const result = await bridge.dialogPickInstaller({});
      if (result.ok) return result.value.path;
      get().reportError('Choose a file', result.error);
      return null;
    },
    async pickExportTarget(suggestedName) {
      if (!bridge.dialogPickExportTarget) return null;
      const result = await bridge.dialogPickExportTarget({ suggestedName });
      if (result.ok) return result.value.path;
      get().reportError('Choose where to export', result.error);
      return null;
    },
    openDialog: (dialog) => set({ dialog }),
    closeDialog: () => set({ dialog: { kind: 'none' } }),
    reportError: (title, error) => {
      push({ tone: 'error', title, message: error.message, hint: error.hint, code: error.code });
    },
    reportInfo: (title, message) => {
      const id = push({ tone: 'info', title, message, hint: '' });
      setTimeout(() => get().dismissNotice(id), INFO_TTL_MS);
    },
    dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    setBusy: (vm, label) =>
      set((s) => {
        const busy = { ...s.busy };
        if (label === null) delete busy[vm];
        else busy[vm] = { label, done: 0, total: 0 };
        return { busy };
      }),
    receiveProgress: ({ vm, done, total }) =>
      set((s) => {
        const current = s.busy[vm];
        // Progress for an operation this window did not start has no bar to fill.
        if (!current) return {};
        return { busy: { ...s.busy, [vm]: { ...current, done, total } } };
      }),
    setConnectionLost: (error) => set({ connectionLost: error }),
  };
};

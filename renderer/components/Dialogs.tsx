/** The one open dialog, if any. */
import { assertNever } from '../../src/shared/errors.js';
import { useApp } from '../store/use-app.js';
import { CommitDialog } from './CommitDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { CopyDialog } from './CopyDialog.js';
import { ExportDialog, ImportDialog } from './BundleDialogs.js';
import { CreateDialog } from './CreateDialog.js';
import { RegistryCommitDialog, RegistryDeleteDialog } from './RegistryDialogs.js';
import { RunDialog } from './RunDialog.js';

export function Dialogs() {
  const dialog = useApp((s) => s.dialog);
  const deleteVm = useApp((s) => s.deleteVm);
  const uncommitVm = useApp((s) => s.uncommitVm);
  switch (dialog.kind) {
    case 'none':
      return null;
    case 'create':
      return <CreateDialog key={dialog.installer ?? ''} installer={dialog.installer} />;
    case 'run':
      return <RunDialog vm={dialog.vm} />;
    case 'copy':
      return <CopyDialog vm={dialog.vm} />;
    case 'commit':
      return <CommitDialog vm={dialog.vm} />;
    case 'export':
      return <ExportDialog vm={dialog.vm} />;
    case 'import':
      return <ImportDialog />;
    case 'reg-commit':
      return <RegistryCommitDialog vm={dialog.vm} />;
    case 'reg-delete':
      return <RegistryDeleteDialog vm={dialog.vm} keyPath={dialog.key} value={dialog.value} />;
    case 'uncommit':
      return (
        <ConfirmDialog
          vm={dialog.vm}
          title={`Undo the last commit of ${dialog.vm}?`}
          confirmLabel="Undo commit"
          pendingLabel="Restoring…"
          onConfirm={() => uncommitVm(dialog.vm)}
        >
          <p>The host files that commit replaced are put back as they were before it. The VM's own copies are not touched.</p>
        </ConfirmDialog>
      );
    case 'delete':
      return (
        <ConfirmDialog
          vm={dialog.vm}
          title={`Delete ${dialog.vm}?`}
          confirmLabel="Delete VM"
          pendingLabel="Deleting…"
          danger
          onConfirm={() => deleteVm(dialog.vm)}
        >
          <p>
            Every change held by <strong>{dialog.vm}</strong> is discarded. Anything already committed stays on the host. This cannot be undone.
          </p>
        </ConfirmDialog>
      );
    default:
      return assertNever(dialog, 'dialog');
  }
}

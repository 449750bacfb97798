/** Export a VM to one bundle file (a memory stick), and import one as a new VM. */
import { useState } from 'react';
import { nameProblem } from '../lib/vm-form.js';
import { useApp } from '../store/use-app.js';
import { FormActions, useDialogSubmit } from './dialog-form.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { Modal } from './Modal.js';
import { ProgressBar } from './ProgressBar.js';

function pathProblem(p: string): string | null {
  if (!p) return 'Give the bundle\'s file path.';
  if (!p.startsWith('/')) return 'Give an absolute path, e.g. /media/stick/my-vm.fvm';
  return null;
}

export function ExportDialog({ vm }: { readonly vm: string }) {
  const closeDialog = useApp((s) => s.closeDialog);
  const exportVm = useApp((s) => s.exportVm);
  const canPick = useApp((s) => s.canPickFiles);
  const pick = useApp((s) => s.pickExportTarget);
  const busy = useApp((s) => s.busy[vm]);
  const [file, setFile] = useState('');
  const problem = pathProblem(file.trim());
  const { pending, submitted, error, submit } = useDialogSubmit(!!problem, () => exportVm(vm, file.trim()), closeDialog);

  return (
    <Modal title={`Export ${vm}`} onClose={closeDialog} locked={pending}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">One file holds the VM's changes, deletions and registry delta. It is written under a temporary name and renamed when complete, so pulling a stick out never leaves a broken bundle. The VM must not be running programs.</p>
        <Field label="Bundle file" error={submitted ? problem : null}>
          {(control) => (
            <div className="row">
              <input {...control} className="input" data-autofocus value={file} onChange={(e) => setFile(e.target.value)} placeholder={`/media/stick/${vm}.fvm`} spellCheck={false} autoComplete="off" />
              {canPick && (
                <button type="button" className="btn" onClick={() => void pick(`${vm}.fvm`).then((p) => p && setFile(p))}>
                  Browse…
                </button>
              )}
            </div>
          )}
        </Field>
        {pending && busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
        {error && <ErrorBox error={error} />}
        <FormActions pending={pending} label="Export" pendingLabel="Exporting…" onCancel={closeDialog} />
      </form>
    </Modal>
  );
}

export function ImportDialog() {
  const closeDialog = useApp((s) => s.closeDialog);
  const importVm = useApp((s) => s.importVm);
  const [file, setFile] = useState('');
  const [name, setName] = useState('');
  const problem = pathProblem(file.trim());
  const nameIssue = name.trim() ? nameProblem(name.trim()) : null;
  const { pending, submitted, error, submit } = useDialogSubmit(!!(problem || nameIssue), () => importVm(file.trim(), name.trim() || undefined), closeDialog);

  return (
    <Modal title="Import a VM" onClose={closeDialog} locked={pending}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">Every entry of the bundle is checked before anything is written; paths under the exporting user's home move to yours.</p>
        <Field label="Bundle file" error={submitted ? problem : null}>
          {(control) => <input {...control} className="input" data-autofocus value={file} onChange={(e) => setFile(e.target.value)} placeholder="/media/stick/my-vm.fvm" spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Name (optional: the bundle's own name)" error={submitted ? nameIssue : null}>
          {(control) => <input {...control} className="input" value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        {error && <ErrorBox error={error} />}
        <FormActions pending={pending} label="Import" pendingLabel="Importing…" onCancel={closeDialog} />
      </form>
    </Modal>
  );
}

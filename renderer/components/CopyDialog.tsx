/** Copy a VM into a new, independent one. */
import { useMemo, useState } from 'react';
import { nameProblem, suggestVmName } from '../lib/vm-form.js';
import { useApp } from '../store/use-app.js';
import { FormActions, useDialogSubmit } from './dialog-form.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { Modal } from './Modal.js';
import { ProgressBar } from './ProgressBar.js';

export function CopyDialog({ vm }: { readonly vm: string }) {
  const closeDialog = useApp((s) => s.closeDialog);
  const copyVm = useApp((s) => s.copyVm);
  const vms = useApp((s) => s.vms);
  const busy = useApp((s) => s.busy[vm]);
  const taken = useMemo(() => new Set(vms.map((v) => v.name)), [vms]);
  const [target, setTarget] = useState(() => suggestVmName(`${vm}-copy`, taken));
  const problem = nameProblem(target.trim()) ?? (taken.has(target.trim()) ? `A VM named ${target.trim()} exists already.` : null);
  const { pending, submitted, error, submit } = useDialogSubmit(!!problem, () => copyVm(vm, target.trim()), closeDialog);

  return (
    <Modal title={`Copy ${vm}`} onClose={closeDialog} locked={pending}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">The copy starts with every change {vm} holds and is independent from then on. The VM must not be running programs.</p>
        <Field label="Name of the copy" error={submitted ? problem : null}>
          {(control) => (
            <input {...control} className="input" data-autofocus value={target} onChange={(e) => setTarget(e.target.value)} spellCheck={false} autoComplete="off" />
          )}
        </Field>
        {pending && busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
        {error && <ErrorBox error={error} />}
        <FormActions pending={pending} label="Copy" pendingLabel="Copying…" onCancel={closeDialog} />
      </form>
    </Modal>
  );
}

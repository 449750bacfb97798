/** Commit the checked changes to the host: the one action here that writes outside a VM. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';
import { plural } from '../lib/format.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Modal } from './Modal.js';
import { ProgressBar } from './ProgressBar.js';

const PREVIEW = 8;

export function CommitDialog({ vm }: { readonly vm: string }) {
  const closeDialog = useApp((s) => s.closeDialog);
  const commitChecked = useApp((s) => s.commitChecked);
  const checked = useApp((s) => s.changes.checked);
  const state = useApp((s) => s.vms.find((v) => v.name === vm)?.state ?? 'stopped');
  const processCount = useApp((s) => s.vms.find((v) => v.name === vm)?.processCount ?? 0);
  const busy = useApp((s) => s.busy[vm]);
  const [stopFirst, setStopFirst] = useState(processCount > 0);
  const [force, setForce] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const paths = [...checked].slice(0, PREVIEW);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setError(null);
    const failure = await commitChecked({ force, stopFirst: stopFirst && state !== 'stopped' });
    setPending(false);
    if (!failure) {
      closeDialog();
      return;
    }
    setError(failure);
    // Offer the way out the error names.
    if (failure.code === 'COMMIT_CONFLICT') setForce(true);
    if (failure.code === 'VM_RUNNING') setStopFirst(true);
  };

  return (
    <Modal title={`Commit ${plural(checked.size, 'change')} to the host`} onClose={closeDialog} locked={pending} wide>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <p>
          These files leave <strong>{vm}</strong> and replace what the host has. FVM keeps the host's versions, so <em>Undo commit</em> can put them back.
        </p>
        <ul className="path-preview">
          {paths.map((p) => (
            <li key={p} className="mono ellipsis" title={p}>
              {p}
            </li>
          ))}
          {checked.size > PREVIEW && <li className="muted">and {plural(checked.size - PREVIEW, 'more change')}</li>}
        </ul>
        {/* An idle VM (only its init left) is stopped by the engine itself; running programs are the user's call. */}
        {state !== 'stopped' && (processCount > 0 || stopFirst) && (
          <label className="check">
            <input type="checkbox" checked={stopFirst} onChange={(e) => setStopFirst(e.target.checked)} />
            <span>Stop the VM first, ending {plural(processCount, 'running process', 'running processes')}: a commit needs it stopped</span>
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
          <span>Overwrite host files that changed since the VM copied them</span>
        </label>
        {pending && busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
        {error && <ErrorBox error={error} />}
        <div className="form-actions">
          <button type="button" className="btn" onClick={closeDialog} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" data-autofocus disabled={pending || checked.size === 0}>
            {pending ? 'Committing…' : 'Commit to host'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** A yes/no question for a destructive action, with the error in place if it fails. */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Modal } from './Modal.js';
import { ProgressBar } from './ProgressBar.js';

interface ConfirmDialogProps {
  readonly vm: string;
  readonly title: string;
  readonly children: ReactNode;
  readonly confirmLabel: string;
  readonly pendingLabel: string;
  readonly danger?: boolean;
  readonly onConfirm: () => Promise<ErrorData | null>;
}

export function ConfirmDialog({ vm, title, children, confirmLabel, pendingLabel, danger = false, onConfirm }: ConfirmDialogProps) {
  const closeDialog = useApp((s) => s.closeDialog);
  const busy = useApp((s) => s.busy[vm]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setError(null);
    const failure = await onConfirm();
    setPending(false);
    if (failure) setError(failure);
    else closeDialog();
  };

  return (
    <Modal title={title} onClose={closeDialog} locked={pending}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {children}
        {pending && busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
        {error && <ErrorBox error={error} />}
        <div className="form-actions">
          <button type="button" className="btn" onClick={closeDialog} disabled={pending} data-autofocus>
            Cancel
          </button>
          <button type="submit" className={danger ? 'btn btn-danger-solid' : 'btn btn-primary'} disabled={pending}>
            {pending ? pendingLabel : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

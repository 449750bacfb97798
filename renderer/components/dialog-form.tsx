/** What every action dialog shares: a submit that validates, runs once, shows the error, closes. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';

export interface DialogSubmit {
  readonly pending: boolean;
  /** Show validation problems only after the first attempt. */
  readonly submitted: boolean;
  readonly error: ErrorData | null;
  submit(event: FormEvent): Promise<void>;
}

/** `run` resolves to an error (shown in the dialog) or null (the dialog closes). */
export function useDialogSubmit(invalid: boolean, run: () => Promise<ErrorData | null>, close: () => void): DialogSubmit {
  const [pending, setPending] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid || pending) return;
    setPending(true);
    setError(null);
    const failure = await run();
    setPending(false);
    if (failure) setError(failure);
    else close();
  };
  return { pending, submitted, error, submit };
}

export function FormActions({ pending, label, pendingLabel, onCancel }: { readonly pending: boolean; readonly label: string; readonly pendingLabel: string; readonly onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="button" className="btn" onClick={onCancel} disabled={pending}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}

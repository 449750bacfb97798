/** An error shown where it happened: stable code, the message, and the hint that fixes it. */
import type { ErrorData } from '../../src/shared/errors.js';

export function ErrorBox({ error }: { readonly error: ErrorData }) {
  return (
    <div className="error-box" role="alert">
      <div className="error-line">
        <span className="code-chip">{error.code}</span>
        <span className="error-message">{error.message}</span>
      </div>
      {error.hint && <div className="error-hint">{error.hint}</div>}
    </div>
  );
}

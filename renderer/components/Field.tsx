/**
 * A labelled form field: the label names the control, help or error text describes it
 * (aria-describedby), so a screen reader says "Name, edit text" and then the hint.
 */
import { useId } from 'react';
import type { ReactNode } from 'react';

export interface FieldControlProps {
  readonly id: string;
  readonly 'aria-describedby': string;
  readonly 'aria-invalid': boolean;
}

interface FieldProps {
  readonly label: string;
  readonly help?: ReactNode;
  /** Shown instead of the help, in red, and marks the control invalid. */
  readonly error?: string | null;
  readonly className?: string;
  readonly children: (control: FieldControlProps) => ReactNode;
}

export function Field({ label, help, error, className, children }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-describedby': helpId, 'aria-invalid': !!error })}
      <span id={helpId} className={error ? 'field-error' : 'field-help'}>
        {error ?? help}
      </span>
    </div>
  );
}

/** The Browse view's inline edits: set a value of the key shown, make a subkey. Escape cancels. */
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { REG_WRITABLE_TYPES } from '../../src/shared/types.js';
import type { RegWritableType } from '../../src/shared/types.js';
import { childKeyPath } from '../lib/registry-path.js';
import { DATA_HELP } from '../lib/registry-value.js';
import type { RegistryValueInput } from '../store/registry-browse-slice.js';
import { useApp } from '../store/use-app.js';
import { FormActions, useDialogSubmit } from './dialog-form.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';

function cancelOnEscape(onCancel: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    onCancel();
  };
}

export function ValueForm({ keyPath, initial, onDone }: { readonly keyPath: string; readonly initial: RegistryValueInput | null; readonly onDone: () => void }) {
  const setRegistryValue = useApp((s) => s.setRegistryValue);
  const [name, setName] = useState(initial?.name ?? '');
  const [type, setType] = useState<RegWritableType>(initial?.type ?? 'REG_SZ');
  const [data, setData] = useState(initial?.data ?? '');
  const { pending, error, submit } = useDialogSubmit(false, () => setRegistryValue({ name, type, data }), onDone);
  const editing = initial !== null;
  const dataRef = useRef<HTMLInputElement>(null);
  // The engine refuses bad data with a hint: put the caret back where the fix goes.
  useEffect(() => {
    if (error) dataRef.current?.focus();
  }, [error]);
  return (
    <form className="form reg-form" aria-label={editing ? 'Set value' : 'Add value'} onSubmit={(e) => void submit(e)} onKeyDown={cancelOnEscape(onDone)} noValidate>
      <p className="reg-form-title">
        {editing ? 'Set a value of' : 'Add a value to'} <span className="mono">{keyPath}</span>
      </p>
      <div className="field-row reg-form-row">
        <Field label="Value name" help="Empty for the key's default value." className="grow">
          {(control) => (
            <input
              {...control}
              className="input mono"
              value={name}
              readOnly={editing}
              autoFocus={!editing}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Type">
          {(control) => (
            <select {...control} className="input" value={type} onChange={(e) => setType(e.target.value as RegWritableType)}>
              {REG_WRITABLE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Data" help={DATA_HELP[type]}>
        {(control) => (
          <input {...control} ref={dataRef} className="input mono" value={data} autoFocus={editing} spellCheck={false} autoComplete="off" onChange={(e) => setData(e.target.value)} />
        )}
      </Field>
      {error && <ErrorBox error={error} />}
      <FormActions pending={pending} label="Set value" pendingLabel="Setting…" onCancel={onDone} />
    </form>
  );
}

export function NewKeyForm({ parent, onDone }: { readonly parent: string; readonly onDone: () => void }) {
  const createRegistryKey = useApp((s) => s.createRegistryKey);
  const [name, setName] = useState('');
  const trimmed = name.trim();
  const problem = trimmed === '' ? 'Name the new key.' : trimmed.includes('\\') ? 'A key name cannot contain a backslash.' : null;
  const { pending, submitted, error, submit } = useDialogSubmit(!!problem, () => createRegistryKey(childKeyPath(parent, trimmed)), onDone);
  return (
    <form className="form reg-form" aria-label="New key" onSubmit={(e) => void submit(e)} onKeyDown={cancelOnEscape(onDone)} noValidate>
      <Field label="New key name" help={`Made under ${parent}, in the VM only.`} error={submitted ? problem : null}>
        {(control) => <input {...control} className="input mono" value={name} autoFocus spellCheck={false} autoComplete="off" onChange={(e) => setName(e.target.value)} />}
      </Field>
      {error && <ErrorBox error={error} />}
      <FormActions pending={pending} label="Create key" pendingLabel="Creating…" onCancel={onDone} />
    </form>
  );
}

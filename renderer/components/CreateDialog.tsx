/** New VM: name, preset, network, visibility rules; optionally a file to run in it right away. */
import { useId, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';
import type { NetworkMode, PresetName } from '../../src/shared/types.js';
import { commandForFile } from '../lib/installer-command.js';
import { formatCommand } from '../lib/format.js';
import { nameProblem, parseRules, suggestVmName } from '../lib/vm-form.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { Modal } from './Modal.js';

const PRESETS: readonly { readonly value: PresetName; readonly label: string; readonly detail: string }[] = [
  { value: 'default', label: 'Default', detail: 'The whole host is visible, copy-on-write.' },
  {
    value: 'untrusted',
    label: 'Untrusted',
    detail: 'No network; SSH and GnuPG keys, cloud and Git credentials, browser profiles and keyrings are hidden.',
  },
];

const NETWORKS: readonly { readonly value: NetworkMode; readonly label: string }[] = [
  { value: 'private', label: 'Private — own network stack, outbound through slirp4netns' },
  { value: 'none', label: 'None — loopback only' },
  { value: 'host', label: "Host — share the host's network" },
];

export function CreateDialog({ installer }: { readonly installer: string | null }) {
  const formId = useId();
  const closeDialog = useApp((s) => s.closeDialog);
  const createVm = useApp((s) => s.createVm);
  const vms = useApp((s) => s.vms);
  const taken = useMemo(() => new Set(vms.map((v) => v.name)), [vms]);

  const [name, setName] = useState(() => (installer ? suggestVmName(installer, taken) : ''));
  const [preset, setPreset] = useState<PresetName>(installer ? 'untrusted' : 'default');
  const [network, setNetwork] = useState<NetworkMode>(installer ? 'none' : 'private');
  const [networkTouched, setNetworkTouched] = useState(false);
  const [rulesText, setRulesText] = useState('');
  const [runAfter, setRunAfter] = useState(installer !== null);
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  const problem = nameProblem(name.trim()) ?? (taken.has(name.trim()) ? `A VM named ${name.trim()} exists already.` : null);
  const rules = parseRules(rulesText);
  const fileCommand = installer ? commandForFile(installer) : null;

  const choosePreset = (value: PresetName) => {
    setPreset(value);
    // The untrusted preset means no network, unless the user chose one on purpose.
    if (!networkTouched) setNetwork(value === 'untrusted' ? 'none' : 'private');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (problem || !rules.ok || pending) return;
    setPending(true);
    setError(null);
    const then = runAfter && fileCommand ? { command: [...fileCommand.command], root: fileCommand.root || undefined } : undefined;
    const failure = await createVm({ name: name.trim(), preset, network, rules: rules.rules.length > 0 ? [...rules.rules] : undefined }, then);
    setPending(false);
    if (failure) setError(failure);
    else closeDialog();
  };

  return (
    <Modal title={installer ? 'Open in a new VM' : 'New VM'} onClose={closeDialog} locked={pending}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {installer && fileCommand && (
          <div className="callout">
            <div className="mono ellipsis" title={installer}>
              {installer}
            </div>
            <div className="muted small">{fileCommand.label}</div>
          </div>
        )}
        <Field label="Name" help={'Letters, digits, ".", "_" and "-".'} error={submitted ? problem : null}>
          {(control) => (
            <input
              {...control}
              className="input"
              data-autofocus
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. try-nodejs"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>

        <fieldset className="field">
          <legend className="field-label">Preset</legend>
          <div className="choice-cards">
            {PRESETS.map((p) => (
              <label key={p.value} className={preset === p.value ? 'choice choice-on' : 'choice'}>
                <input
                  type="radio"
                  name="preset"
                  value={p.value}
                  checked={preset === p.value}
                  onChange={() => choosePreset(p.value)}
                  aria-labelledby={`${formId}-preset-${p.value}`}
                  aria-describedby={`${formId}-preset-${p.value}-detail`}
                />
                <span className="choice-label" id={`${formId}-preset-${p.value}`}>
                  {p.label}
                </span>
                <span className="choice-detail" id={`${formId}-preset-${p.value}-detail`}>
                  {p.detail}
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <Field label="Network">
          {(control) => (
            <select
              {...control}
              className="input"
              value={network}
              onChange={(e) => {
                setNetwork(e.target.value as NetworkMode);
                setNetworkTouched(true);
              }}
            >
              {NETWORKS.map((n) => (
                <option key={n.value} value={n.value}>
                  {n.label}
                </option>
              ))}
            </select>
          )}
        </Field>

        <Field label="Rules" help="One MODE:PATH per line. Modes: cow (default), open (writes reach the host), ro, hidden." error={rules.ok ? null : rules.error}>
          {(control) => (
            <textarea
              {...control}
              className="input mono"
              rows={3}
              value={rulesText}
              onChange={(e) => setRulesText(e.target.value)}
              placeholder={'hidden:/home/me/Documents\nro:/etc\nopen:/home/me/Downloads'}
              spellCheck={false}
            />
          )}
        </Field>

        {fileCommand && (
          <label className="check">
            <input type="checkbox" checked={runAfter} onChange={(e) => setRunAfter(e.target.checked)} />
            <span>
              Then run <code>{formatCommand(fileCommand.command)}</code>
              {fileCommand.root ? ' as root' : ''}
            </span>
          </label>
        )}

        {error && <ErrorBox error={error} />}

        <div className="form-actions">
          <button type="button" className="btn" onClick={closeDialog} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={pending}>
            {pending ? 'Creating…' : runAfter && fileCommand ? 'Create and run' : 'Create VM'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

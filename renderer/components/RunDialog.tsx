/** Run in a VM: a command line (through /bin/sh), or a picked file started the way its type needs. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';
import { formatCommand } from '../lib/format.js';
import { commandForFile, commandForLine } from '../lib/installer-command.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { Icon } from './Icon.js';
import { Modal } from './Modal.js';

type Mode = 'line' | 'file';

export function RunDialog({ vm }: { readonly vm: string }) {
  const closeDialog = useApp((s) => s.closeDialog);
  const runInVm = useApp((s) => s.runInVm);
  const canPickFiles = useApp((s) => s.canPickFiles);
  const pickInstallerFile = useApp((s) => s.pickInstallerFile);

  const [mode, setMode] = useState<Mode>('line');
  const [line, setLine] = useState('');
  const [file, setFile] = useState('');
  const [asRoot, setAsRoot] = useState(false);
  const [rootTouched, setRootTouched] = useState(false);
  const [cwd, setCwd] = useState('');
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);

  const fileCommand = file.trim() ? commandForFile(file.trim()) : null;
  const command = mode === 'line' ? (line.trim() ? commandForLine(line) : null) : (fileCommand?.command ?? null);

  const chooseFile = (path: string) => {
    setFile(path);
    // A .deb needs root; follow the file's needs unless the user decided.
    if (!rootTouched) setAsRoot(path.trim() ? commandForFile(path.trim()).root : false);
  };

  const browse = async () => {
    const picked = await pickInstallerFile();
    if (picked) {
      setMode('file');
      chooseFile(picked);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (!command) {
      setProblem(mode === 'line' ? 'Type a command to run.' : 'Choose a file to run.');
      return;
    }
    if (mode === 'file' && !file.trim().startsWith('/')) {
      setProblem('Give the absolute path of the file.');
      return;
    }
    if (cwd.trim() && !cwd.trim().startsWith('/')) {
      setProblem('The working directory must be an absolute path.');
      return;
    }
    setProblem(null);
    setPending(true);
    setError(null);
    const failure = await runInVm(vm, { command: [...command], root: asRoot || undefined, cwd: cwd.trim() || undefined });
    setPending(false);
    if (failure) setError(failure);
    else closeDialog();
  };

  return (
    <Modal title={`Run in ${vm}`} onClose={closeDialog} locked={pending} wide>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="segmented" role="radiogroup" aria-label="What to run">
          <label className={mode === 'line' ? 'seg seg-on' : 'seg'}>
            <input type="radio" name="run-mode" className="visually-hidden" checked={mode === 'line'} onChange={() => setMode('line')} />
            Command line
          </label>
          <label className={mode === 'file' ? 'seg seg-on' : 'seg'}>
            <input type="radio" name="run-mode" className="visually-hidden" checked={mode === 'file'} onChange={() => setMode('file')} />
            Program or installer
          </label>
        </div>

        {mode === 'line' ? (
          <Field label="Command" help="Runs through /bin/sh, so pipes, quotes and && work.">
            {(control) => (
              <input
                {...control}
                className="input mono"
                data-autofocus
                value={line}
                onChange={(e) => setLine(e.target.value)}
                placeholder="curl -fsSL https://example.org/install.sh | sh"
                spellCheck={false}
                autoComplete="off"
              />
            )}
          </Field>
        ) : (
          <Field label="File" help={fileCommand ? fileCommand.label : '.sh scripts, AppImages, .deb packages, and Windows .msi/.exe through Wine.'}>
            {(control) => (
              <div className="input-row">
                <input
                  {...control}
                  className="input mono"
                  data-autofocus
                  value={file}
                  onChange={(e) => chooseFile(e.target.value)}
                  placeholder="/home/me/Downloads/setup.msi"
                  spellCheck={false}
                  autoComplete="off"
                />
                {canPickFiles && (
                  <button type="button" className="btn" onClick={() => void browse()}>
                    <Icon name="file" /> Browse…
                  </button>
                )}
              </div>
            )}
          </Field>
        )}

        {command && (
          <div className="command-preview" aria-label="Command that will run">
            <span className="muted small">Runs</span> <code>{formatCommand(command)}</code>
          </div>
        )}

        <div className="field-row">
          <Field label="Working directory" className="grow" help="Absolute path; empty means your home directory.">
            {(control) => <input {...control} className="input mono" value={cwd} onChange={(e) => setCwd(e.target.value)} placeholder="/home/me" spellCheck={false} />}
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={asRoot}
              onChange={(e) => {
                setAsRoot(e.target.checked);
                setRootTouched(true);
              }}
            />
            <span>Run as root inside the VM</span>
          </label>
        </div>

        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        {error && <ErrorBox error={error} />}

        <div className="form-actions">
          <button type="button" className="btn" onClick={closeDialog} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={pending}>
            <Icon name="play" /> {pending ? 'Starting…' : 'Run'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

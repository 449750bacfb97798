/** The Registry tab's questions: commit the checked keys to the host; delete a key or a value in the VM. */
import { plural } from '../lib/format.js';
import { valueLabel } from '../lib/registry-value.js';
import { useApp } from '../store/use-app.js';
import { ConfirmDialog } from './ConfirmDialog.js';

const PREVIEW = 8;

export function RegistryCommitDialog({ vm }: { readonly vm: string }) {
  const checked = useApp((s) => s.registry.checked);
  const commitRegistryKeys = useApp((s) => s.commitRegistryKeys);
  const keys = [...checked];
  return (
    <ConfirmDialog
      vm={vm}
      title={`Commit ${plural(keys.length, 'registry key')} to the host`}
      confirmLabel="Commit to host"
      pendingLabel="Committing…"
      onConfirm={commitRegistryKeys}
    >
      <p>
        These keys leave <strong>{vm}</strong> and are merged into the host&apos;s Wine registry, each with its values and subkeys. No file is committed. FVM
        keeps the host&apos;s hives as they were, so <em>Undo commit</em> can put them back.
      </p>
      <ul className="path-preview" aria-label="Keys to commit">
        {keys.slice(0, PREVIEW).map((k) => (
          <li key={k} className="mono ellipsis" title={k}>
            {k}
          </li>
        ))}
        {keys.length > PREVIEW && <li className="muted">and {plural(keys.length - PREVIEW, 'more key')}</li>}
      </ul>
      <p className="muted small">The VM must be stopped, and no Wine program may be running for that prefix on the host.</p>
    </ConfirmDialog>
  );
}

export function RegistryDeleteDialog({ vm, keyPath, value }: { readonly vm: string; readonly keyPath: string; readonly value?: string }) {
  const deleteRegistryEntry = useApp((s) => s.deleteRegistryEntry);
  const isValue = value !== undefined;
  return (
    <ConfirmDialog
      vm={vm}
      title={isValue ? `Delete the value ${valueLabel(value)}?` : 'Delete this key?'}
      confirmLabel={isValue ? 'Delete value' : 'Delete key'}
      pendingLabel="Deleting…"
      danger
      onConfirm={() => deleteRegistryEntry(keyPath, value)}
    >
      <p>
        {isValue ? (
          <>
            The value <strong className="mono">{valueLabel(value)}</strong> of <span className="mono">{keyPath}</span> is deleted in <strong>{vm}</strong>.
          </>
        ) : (
          <>
            <span className="mono">{keyPath}</span> is deleted in <strong>{vm}</strong>, with all its values and subkeys.
          </>
        )}{' '}
        The host&apos;s registry is untouched unless you commit the deletion.
      </p>
    </ConfirmDialog>
  );
}

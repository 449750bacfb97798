/** The VM's Windows registry (Wine's hives as the VM sees them): what it changed, or one key at a time. */
import type { RegistryPane } from '../store/registry-slice.js';
import { useApp } from '../store/use-app.js';
import { RegistryBrowse } from './RegistryBrowse.js';
import { RegistryChanges } from './RegistryChanges.js';

const PANES: readonly { readonly pane: RegistryPane; readonly label: string }[] = [
  { pane: 'changes', label: 'Changes' },
  { pane: 'browse', label: 'Browse' },
];

export function RegistryTab({ vm }: { readonly vm: string }) {
  const pane = useApp((s) => s.registry.pane);
  const keyCount = useApp((s) => (s.registry.status === 'idle' ? null : s.registry.groups.length));
  const setPane = useApp((s) => s.setRegistryPane);
  return (
    <div className="registry-tab">
      <div className="section-head reg-head">
        <h3>Registry</h3>
        <div className="segmented" role="group" aria-label="Registry view">
          {PANES.map((p) => (
            <button key={p.pane} type="button" className={pane === p.pane ? 'seg seg-on' : 'seg'} aria-pressed={pane === p.pane} onClick={() => setPane(p.pane)}>
              {p.label}
              {p.pane === 'changes' && keyCount !== null && <span className="seg-count">{keyCount.toLocaleString('en-US')}</span>}
            </button>
          ))}
        </div>
      </div>
      {pane === 'changes' ? <RegistryChanges vm={vm} /> : <RegistryBrowse vm={vm} />}
    </div>
  );
}

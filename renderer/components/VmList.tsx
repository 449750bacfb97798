/** The VMs, one row each: state, size of its changes, running processes. Arrow keys move. */
import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/shallow';
import { formatBytes } from '../lib/format.js';
import { useApp } from '../store/use-app.js';
import { StatePill } from './StatePill.js';

function VmRow({ name }: { readonly name: string }) {
  const vm = useApp((s) => s.vms.find((v) => v.name === name));
  const selected = useApp((s) => s.selectedVm === name);
  const busy = useApp((s) => s.busy[name]?.label);
  const selectVm = useApp((s) => s.selectVm);
  if (!vm) return null;
  return (
    <li>
      <button
        type="button"
        className={selected ? 'vm-row vm-row-selected' : 'vm-row'}
        aria-current={selected ? 'true' : undefined}
        data-vm={name}
        onClick={() => selectVm(name)}
      >
        <span className="vm-name">{vm.name}</span>
        <StatePill state={vm.state} />
        <span className="vm-size">{formatBytes(vm.sizeBytes)}</span>
        <span className="vm-procs" title="Running processes">
          {vm.processCount}
        </span>
        {busy && <span className="vm-busy">{busy}…</span>}
      </button>
    </li>
  );
}

export function VmList() {
  // Names only: a row re-renders for its own VM, the list only when VMs come or go.
  const names = useApp(useShallow((s) => s.vms.map((v) => v.name)));

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button.vm-row')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[event.key === 'ArrowDown' ? Math.min(buttons.length - 1, at + 1) : Math.max(0, at - 1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <nav className="vm-list" aria-label="VMs">
      <div className="vm-list-head" aria-hidden="true">
        <span>Name</span>
        <span>State</span>
        <span className="vm-size">Size</span>
        <span className="vm-procs">Procs</span>
      </div>
      <ul onKeyDown={onKeyDown}>
        {names.map((name) => (
          <VmRow key={name} name={name} />
        ))}
      </ul>
    </nav>
  );
}

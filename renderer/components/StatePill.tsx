import type { VmState } from '../../src/shared/types.js';

const LABELS: Record<VmState, string> = { running: 'Running', suspended: 'Suspended', stopped: 'Stopped' };

export function StatePill({ state }: { readonly state: VmState }) {
  return (
    <span className={`state-pill state-${state}`}>
      <span className="state-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}

/** The empty state: what FVM is for, and the one button that starts. */
import { useApp } from '../store/use-app.js';
import { Icon } from './Icon.js';
import { Logo } from './Logo.js';

export function Welcome() {
  const openDialog = useApp((s) => s.openDialog);
  return (
    <div className="welcome">
      <Logo size={56} />
      <h1>No VMs yet</h1>
      <p>
        A VM sees your whole system but keeps every change to itself. Run an installer or a <code>curl | sh</code> script in one, look at exactly what
        it did, then throw it away or commit just the files you want.
      </p>
      <button type="button" className="btn btn-primary btn-large" onClick={() => openDialog({ kind: 'create', installer: null })} data-autofocus>
        <Icon name="plus" /> Create your first VM
      </button>
    </div>
  );
}

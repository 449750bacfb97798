/** The window: top bar, VM list beside the selected VM, notices and dialogs. */
import { useApp } from '../store/use-app.js';
import { Dialogs } from './Dialogs.js';
import { ErrorBox } from './ErrorBox.js';
import { Icon } from './Icon.js';
import { Logo } from './Logo.js';
import { Notices } from './Notices.js';
import { VmDetail } from './VmDetail.js';
import { VmList } from './VmList.js';
import { Welcome } from './Welcome.js';

function TopBar() {
  const openDialog = useApp((s) => s.openDialog);
  const refreshVms = useApp((s) => s.refreshVms);
  const transport = useApp((s) => s.transport);
  return (
    <header className="topbar">
      <Logo />
      <span className="brand">FVM</span>
      <span className="brand-sub">featherweight VMs</span>
      <span className="spacer" />
      {transport === 'browser' && (
        <span className="transport" title="Served by `fvm ui --web` on 127.0.0.1 only">
          browser mode
        </span>
      )}
      <button type="button" className="btn btn-ghost" onClick={() => void refreshVms()} aria-label="Refresh the VM list">
        <Icon name="refresh" />
      </button>
      <button type="button" className="btn" onClick={() => openDialog({ kind: 'import' })}>
        Import…
      </button>
      <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create', installer: null })}>
        <Icon name="plus" /> New VM
      </button>
    </header>
  );
}

function Body() {
  const status = useApp((s) => s.vmsStatus);
  const error = useApp((s) => s.vmsError);
  const empty = useApp((s) => s.vms.length === 0);
  const selected = useApp((s) => s.selectedVm);
  if (status === 'idle' || (status === 'loading' && empty)) return <div className="loading">Loading VMs…</div>;
  if (status === 'error' && empty && error) {
    return (
      <div className="pad">
        <ErrorBox error={error} />
      </div>
    );
  }
  if (empty) return <Welcome />;
  return (
    <div className="split">
      <aside className="sidebar">
        <VmList />
      </aside>
      <main className="detail-pane">
        {selected ? (
          <VmDetail key={selected} vm={selected} />
        ) : (
          <div className="empty-panel center">
            <p className="empty-title">Select a VM</p>
            <p className="muted">Its processes, changes and settings open here.</p>
          </div>
        )}
      </main>
    </div>
  );
}

export function App() {
  const connectionLost = useApp((s) => s.connectionLost);
  return (
    <div className="app">
      <TopBar />
      {connectionLost && (
        <div className="banner">
          <ErrorBox error={connectionLost} />
        </div>
      )}
      <Body />
      <Notices />
      <Dialogs />
    </div>
  );
}

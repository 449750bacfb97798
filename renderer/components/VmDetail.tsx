/** The selected VM: header with its actions, progress of long operations, and the tabs. */
import type { KeyboardEvent } from 'react';
import { assertNever } from '../../src/shared/errors.js';
import { formatBytes, formatDate, plural } from '../lib/format.js';
import { DETAIL_TABS } from '../store/detail-slice.js';
import type { DetailTab } from '../store/detail-slice.js';
import { useApp } from '../store/use-app.js';
import { ChangesTab } from './ChangesTab.js';
import { Icon } from './Icon.js';
import { ProcessesTab } from './ProcessesTab.js';
import { ProgressBar } from './ProgressBar.js';
import { RegistryTab } from './RegistryTab.js';
import { ReportTab } from './ReportTab.js';
import { SettingsTab } from './SettingsTab.js';
import { StatePill } from './StatePill.js';

const TAB_LABELS: Record<DetailTab, string> = { processes: 'Processes', changes: 'Changes', registry: 'Registry', report: 'Report', settings: 'Settings' };

function Toolbar({ vm }: { readonly vm: string }) {
  const state = useApp((s) => s.vms.find((v) => v.name === vm)?.state ?? 'stopped');
  const busy = useApp((s) => s.busy[vm] !== undefined);
  const commits = useApp((s) => (s.info?.name === vm ? s.info.commits : 0));
  const checkedCount = useApp((s) => (s.changes.vm === vm ? s.changes.checked.size : 0));
  const openDialog = useApp((s) => s.openDialog);
  const suspendVm = useApp((s) => s.suspendVm);
  const resumeVm = useApp((s) => s.resumeVm);
  const stopVm = useApp((s) => s.stopVm);
  return (
    <div className="toolbar" role="toolbar" aria-label={`Actions on ${vm}`}>
      <button type="button" className="btn btn-primary" disabled={busy || state === 'suspended'} onClick={() => openDialog({ kind: 'run', vm })}>
        <Icon name="play" /> Run…
      </button>
      {state === 'suspended' ? (
        <button type="button" className="btn" disabled={busy} onClick={() => void resumeVm(vm)}>
          <Icon name="play" /> Resume
        </button>
      ) : (
        <button type="button" className="btn" disabled={busy || state !== 'running'} onClick={() => void suspendVm(vm)}>
          <Icon name="pause" /> Suspend
        </button>
      )}
      <button type="button" className="btn" disabled={busy || state === 'stopped'} onClick={() => void stopVm(vm)}>
        <Icon name="stop" /> Stop
      </button>
      <span className="toolbar-sep" aria-hidden="true" />
      <button type="button" className="btn" disabled={busy || checkedCount === 0} onClick={() => openDialog({ kind: 'commit', vm })} title="Check changes in the Changes tab first">
        <Icon name="commit" /> Commit{checkedCount > 0 ? ` ${checkedCount.toLocaleString('en-US')}` : ''}…
      </button>
      <button type="button" className="btn" disabled={busy || commits === 0} onClick={() => openDialog({ kind: 'uncommit', vm })}>
        <Icon name="undo" /> Undo commit
      </button>
      <button type="button" className="btn" disabled={busy} onClick={() => openDialog({ kind: 'copy', vm })}>
        <Icon name="copy" /> Copy…
      </button>
      <button type="button" className="btn" disabled={busy} onClick={() => openDialog({ kind: 'export', vm })}>
        Export…
      </button>
      <span className="spacer" />
      <button type="button" className="btn btn-danger" disabled={busy} onClick={() => openDialog({ kind: 'delete', vm })}>
        <Icon name="trash" /> Delete…
      </button>
    </div>
  );
}

function Tabs({ vm }: { readonly vm: string }) {
  const tab = useApp((s) => s.detailTab);
  const setDetailTab = useApp((s) => s.setDetailTab);
  const changeCount = useApp((s) => (s.changes.vm === vm && s.changes.status !== 'idle' ? s.changes.rows.length : null));
  const processCount = useApp((s) => s.vms.find((v) => v.name === vm)?.processCount ?? 0);
  const regKeyCount = useApp((s) => (s.registry.vm === vm && s.registry.status !== 'idle' ? s.registry.groups.length : null));
  const flagCount = useApp((s) => (s.report.vm === vm && s.report.report ? s.report.report.flags.length : null));
  const highRisk = useApp((s) => (s.report.vm === vm && s.report.report ? s.report.report.flags.some((f) => f.severity === 'high') : false));

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = DETAIL_TABS.indexOf(tab);
    let next: DetailTab | null = null;
    if (event.key === 'ArrowRight') next = DETAIL_TABS[(at + 1) % DETAIL_TABS.length];
    else if (event.key === 'ArrowLeft') next = DETAIL_TABS[(at + DETAIL_TABS.length - 1) % DETAIL_TABS.length];
    else if (event.key === 'Home') next = DETAIL_TABS[0];
    else if (event.key === 'End') next = DETAIL_TABS[DETAIL_TABS.length - 1];
    if (next === null) return;
    event.preventDefault();
    setDetailTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  const badge = (t: DetailTab): string | null => {
    switch (t) {
      case 'processes':
        return processCount > 0 ? String(processCount) : null;
      case 'changes':
        return changeCount !== null ? changeCount.toLocaleString('en-US') : null;
      case 'registry':
        return regKeyCount !== null && regKeyCount > 0 ? regKeyCount.toLocaleString('en-US') : null;
      case 'report':
        return flagCount !== null && flagCount > 0 ? String(flagCount) : null;
      case 'settings':
        return null;
      default:
        return assertNever(t, 'tab');
    }
  };

  return (
    <div className="tabs" role="tablist" aria-label="VM details" onKeyDown={onKeyDown}>
      {DETAIL_TABS.map((t) => {
        const count = badge(t);
        return (
          <button
            key={t}
            id={`tab-${t}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setDetailTab(t)}
          >
            {TAB_LABELS[t]}
            {count !== null && (
              <span className={t === 'report' && highRisk ? 'tab-count tab-count-high' : 'tab-count'} title={t === 'report' ? 'Risk flags' : undefined}>
                {count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

function TabPanel({ vm }: { readonly vm: string }) {
  const tab = useApp((s) => s.detailTab);
  let body;
  switch (tab) {
    case 'processes':
      body = <ProcessesTab vm={vm} />;
      break;
    case 'changes':
      body = <ChangesTab vm={vm} />;
      break;
    case 'registry':
      body = <RegistryTab vm={vm} />;
      break;
    case 'report':
      body = <ReportTab vm={vm} />;
      break;
    case 'settings':
      body = <SettingsTab />;
      break;
    default:
      body = assertNever(tab, 'tab');
  }
  return (
    <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
      {body}
    </div>
  );
}

export function VmDetail({ vm }: { readonly vm: string }) {
  const summary = useApp((s) => s.vms.find((v) => v.name === vm));
  const busy = useApp((s) => s.busy[vm]);
  if (!summary) return null;
  return (
    <section className="detail" aria-label={`VM ${vm}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h1>{vm}</h1>
          <StatePill state={summary.state} />
          <span className="detail-meta">
            {formatBytes(summary.sizeBytes)} of changes · {plural(summary.processCount, 'process', 'processes')} · created {formatDate(summary.created)}
          </span>
        </div>
        <Toolbar vm={vm} />
        {busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
      </header>
      <Tabs vm={vm} />
      <TabPanel vm={vm} />
    </section>
  );
}

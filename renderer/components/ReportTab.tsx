/** What the VM did: risk flags by severity (cards with their paths and why they matter), then the summary. */
import { useId, useState } from 'react';
import type { ChangeKind, ReportSummary, RiskFlag, RiskSeverity, VmReport } from '../../src/shared/types.js';
import { formatBytes, formatDate, plural } from '../lib/format.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Icon } from './Icon.js';

const SEVERITIES: readonly RiskSeverity[] = ['high', 'medium', 'low'];
const SEVERITY_LABEL: Record<RiskSeverity, string> = { high: 'High', medium: 'Medium', low: 'Low' };
const KIND_LETTER: Record<ChangeKind, string> = { added: 'A', modified: 'M', deleted: 'D' };
/** Paths a card shows before "Show more". */
const FOLDED_PATHS = 4;

function FlagCard({ flag }: { readonly flag: RiskFlag }) {
  const [open, setOpen] = useState(false);
  const titleId = useId();
  const listId = useId();
  const shown = open ? flag.paths : flag.paths.slice(0, FOLDED_PATHS);
  const folded = flag.paths.length - FOLDED_PATHS;
  const unlisted = flag.count - flag.paths.length;
  return (
    <li className={`risk-card risk-${flag.severity}`} aria-labelledby={titleId} data-risk={flag.id}>
      <div className="risk-head">
        <span className={`severity-chip severity-${flag.severity}`}>{SEVERITY_LABEL[flag.severity]}</span>
        <h4 id={titleId} className="risk-title">
          {flag.title}
        </h4>
        <code className="risk-id">{flag.id}</code>
        <span className="spacer" />
        <span className="muted small">{plural(flag.count, 'path')}</span>
      </div>
      <p className="risk-why">{flag.explanation}</p>
      <ul className="risk-paths" id={listId} aria-label={`Paths: ${flag.title}`}>
        {shown.map((p) => (
          <li key={`${p.change}:${p.path}`} className="risk-path">
            <span className={`kind-badge kind-${p.change}`} title={p.change}>
              {KIND_LETTER[p.change]}
            </span>
            <span className="risk-path-text">{p.path}</span>
            {p.detail.length > 0 && <pre className="risk-detail">{p.detail.join('\n')}</pre>}
          </li>
        ))}
      </ul>
      {(folded > 0 || (open && unlisted > 0)) && (
        <div className="risk-more">
          {folded > 0 && (
            <button type="button" className="btn btn-ghost btn-small" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
              {open ? 'Show fewer' : `Show ${folded} more`}
            </button>
          )}
          {open && unlisted > 0 && <span className="muted small">and {plural(unlisted, 'more path')} in the Changes tab</span>}
        </div>
      )}
    </li>
  );
}

function Flags({ flags }: { readonly flags: readonly RiskFlag[] }) {
  if (flags.length === 0) {
    return (
      <div className="empty-panel report-empty">
        <p className="empty-title">Nothing risky found</p>
        <p className="muted">
          No autostart entries, shell start-up files, scheduled jobs, SSH keys, set-user-ID files, PATH shims, certificates, browser extensions or other
          ways back in among this VM&apos;s changes.
        </p>
      </div>
    );
  }
  return (
    <>
      {SEVERITIES.map((severity) => {
        const list = flags.filter((f) => f.severity === severity);
        if (list.length === 0) return null;
        return (
          <section key={severity} className="risk-group" aria-label={`${SEVERITY_LABEL[severity]} risk`}>
            <h3>
              {SEVERITY_LABEL[severity]} risk <span className="tab-count">{list.length}</span>
            </h3>
            <ul className="risk-list">
              {list.map((f) => (
                <FlagCard key={f.id} flag={f} />
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}

function Summary({ summary, report }: { readonly summary: ReportSummary; readonly report: VmReport }) {
  const figures: [string, string][] = [
    ['Changes', summary.changes.toLocaleString('en-US')],
    ['Added', summary.added.toLocaleString('en-US')],
    ['Modified', summary.modified.toLocaleString('en-US')],
    ['Deleted', summary.deleted.toLocaleString('en-US')],
    ['In new files', formatBytes(summary.bytesAdded)],
    ['In modified files', formatBytes(summary.bytesModified)],
  ];
  if (summary.registryChanges > 0) figures.push(['Registry changes', summary.registryChanges.toLocaleString('en-US')]);
  return (
    <section className="report-summary" aria-label="Summary">
      <h3>Summary</h3>
      <dl className="report-figures">
        {figures.map(([label, value]) => (
          <div key={label} className="figure">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div className="report-tables">
        {summary.largest.length > 0 && (
          <table className="table" aria-label="Largest files">
            <thead>
              <tr>
                <th className="num">Size</th>
                <th>Largest files</th>
              </tr>
            </thead>
            <tbody>
              {summary.largest.map((f) => (
                <tr key={f.path}>
                  <td className="num">{formatBytes(f.size)}</td>
                  <td className="mono report-cell">{f.path}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {summary.topDirs.length > 0 && (
          <table className="table" aria-label="Top directories">
            <thead>
              <tr>
                <th className="num">Changes</th>
                <th>Top directories</th>
              </tr>
            </thead>
            <tbody>
              {summary.topDirs.map((d) => (
                <tr key={d.path}>
                  <td className="num">{d.changes.toLocaleString('en-US')}</td>
                  <td className="mono report-cell">{d.path}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {report.state !== 'stopped' && (
        <table className="table report-procs" aria-label="Processes">
          <thead>
            <tr>
              <th className="num">PID</th>
              <th>Running processes ({report.processes.length})</th>
            </tr>
          </thead>
          <tbody>
            {report.processes.map((p) => (
              <tr key={p.pid}>
                <td className="num mono">{p.pid}</td>
                <td className="mono report-cell">{p.cmd}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ReportTab({ vm }: { readonly vm: string }) {
  const status = useApp((s) => s.report.status);
  const report = useApp((s) => (s.report.vm === vm ? s.report.report : null));
  const error = useApp((s) => s.report.error);
  const stale = useApp((s) => s.report.stale);
  const loadReport = useApp((s) => s.loadReport);
  const high = report?.flags.filter((f) => f.severity === 'high').length ?? 0;

  return (
    <div className="report-tab">
      <div className="section-head report-head">
        <h3>Report</h3>
        {report && (
          <span className="muted small" aria-live="polite">
            {plural(report.flags.length, 'risk flag')}
            {high > 0 ? `, ${high} high` : ''} · made {formatDate(report.generated)}
            {stale ? ' · the VM changed since' : ''}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" onClick={() => void loadReport()} disabled={status === 'loading'}>
          <Icon name="refresh" /> {status === 'loading' ? 'Checking…' : 'Refresh report'}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {report ? (
        <div className="report-body">
          <Flags flags={report.flags} />
          <Summary summary={report.summary} report={report} />
        </div>
      ) : (
        status !== 'error' && <p className="muted pad">Checking what the VM changed…</p>
      )}
    </div>
  );
}

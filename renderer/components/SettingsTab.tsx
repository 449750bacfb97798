/** The VM's configuration, read-only: what it sees of the host and how it is cut off. */
import { formatBytes, formatDate } from '../lib/format.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';

const NETWORK_TEXT = {
  private: 'Private: its own network stack with outbound access through slirp4netns',
  none: 'None: loopback only',
  host: "Host: shares the host's network",
} as const;

const RULE_TEXT = {
  cow: 'copy-on-write',
  open: 'open (writes reach the host)',
  ro: 'read-only',
  hidden: 'hidden',
} as const;

export function SettingsTab() {
  const info = useApp((s) => s.info);
  const infoError = useApp((s) => s.infoError);
  if (infoError) return <ErrorBox error={infoError} />;
  if (!info) return <p className="muted pad">Loading…</p>;
  const { config } = info;
  return (
    <div className="settings-tab">
      <dl className="facts">
        <dt>Name</dt>
        <dd>{info.name}</dd>
        <dt>ID</dt>
        <dd className="mono">{info.id}</dd>
        <dt>Created</dt>
        <dd>{formatDate(info.created)}</dd>
        <dt>Preset</dt>
        <dd>{config.preset}</dd>
        <dt>Network</dt>
        <dd>{NETWORK_TEXT[config.network]}</dd>
        <dt>Hostname</dt>
        <dd>{config.hostname ?? <span className="muted">the host's name (in a private UTS namespace)</span>}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(info.sizeBytes)}</dd>
        <dt>Commits</dt>
        <dd>{info.commits}</dd>
        <dt>Init PID</dt>
        <dd className="mono">{info.initPid ?? <span className="muted">not running</span>}</dd>
        <dt>Stored in</dt>
        <dd className="mono">{info.path}</dd>
      </dl>
      <h3>Visibility rules</h3>
      {config.rules.length === 0 ? (
        <p className="muted">No rules of its own: the whole host is visible copy-on-write{config.preset === 'untrusted' ? ', except what the untrusted preset hides' : ''}.</p>
      ) : (
        <table className="table rules-table">
          <thead>
            <tr>
              <th>Mode</th>
              <th>Path</th>
            </tr>
          </thead>
          <tbody>
            {config.rules.map((r) => (
              <tr key={`${r.mode}:${r.path}`}>
                <td>{RULE_TEXT[r.mode]}</td>
                <td className="mono">{r.path}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Errors (with code and hint) and confirmations, stacked at the bottom right. */
import { useApp } from '../store/use-app.js';
import { Icon } from './Icon.js';

export function Notices() {
  const notices = useApp((s) => s.notices);
  const dismissNotice = useApp((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <div className="notice-head">
            <strong>{n.title}</strong>
            {n.code && <span className="code-chip">{n.code}</span>}
            <span className="spacer" />
            <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
              <Icon name="close" />
            </button>
          </div>
          <div className="notice-message">{n.message}</div>
          {n.hint && <div className="error-hint">{n.hint}</div>}
        </div>
      ))}
    </div>
  );
}

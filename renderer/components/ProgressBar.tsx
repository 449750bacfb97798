/** Determinate when the engine reports progress (`total` > 0), a moving stripe until then. */
export function ProgressBar({ label, done, total }: { readonly label: string; readonly done: number; readonly total: number }) {
  const determinate = total > 0;
  const percent = determinate ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className="progress">
      <div
        className={determinate ? 'progress-track' : 'progress-track indeterminate'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={determinate ? total : undefined}
        aria-valuenow={determinate ? done : undefined}
      >
        {/* Width through the CSSOM, which a style-src 'self' policy allows. */}
        <div className="progress-fill" style={determinate ? { width: `${percent}%` } : undefined} />
      </div>
      <span className="progress-label">
        {label}
        {determinate ? ` · ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}` : '…'}
      </span>
    </div>
  );
}

/** What the VM changed compared with the host: live feed plus diff, with checkboxes to commit. */
import { useDeferredValue, useMemo, useState } from 'react';
import type { ChangeKind } from '../../src/shared/types.js';
import { formatBytes, plural } from '../lib/format.js';
import type { ChangeRow } from '../store/changes-slice.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Icon } from './Icon.js';
import { VirtualList } from './VirtualList.js';

const ROW_HEIGHT = 26;
const KIND_LETTER: Record<ChangeKind, string> = { added: 'A', modified: 'M', deleted: 'D' };
type KindFilter = ChangeKind | 'all';
const FILTERS: readonly KindFilter[] = ['all', 'added', 'modified', 'deleted'];

function splitPath(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return [path.slice(0, slash + 1), path.slice(slash + 1)];
}

export function ChangesTab({ vm }: { readonly vm: string }) {
  const rows = useApp((s) => s.changes.rows);
  const status = useApp((s) => s.changes.status);
  const error = useApp((s) => s.changes.error);
  const checked = useApp((s) => s.changes.checked);
  const liveCount = useApp((s) => s.changes.liveCount);
  const loadDiff = useApp((s) => s.loadDiff);
  const toggleChecked = useApp((s) => s.toggleChecked);
  const setChecked = useApp((s) => s.setChecked);
  const clearChecked = useApp((s) => s.clearChecked);
  const openDialog = useApp((s) => s.openDialog);
  const busy = useApp((s) => s.busy[vm] !== undefined);

  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<KindFilter>('all');
  const [active, setActive] = useState(-1);
  const deferredQuery = useDeferredValue(query);

  const counts = useMemo(() => {
    const c: Record<KindFilter, number> = { all: rows.length, added: 0, modified: 0, deleted: 0 };
    for (const r of rows) c[r.kind]++;
    return c;
  }, [rows]);

  const visible = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    if (q === '' && kind === 'all') return rows;
    return rows.filter((r) => (kind === 'all' || r.kind === kind) && (q === '' || r.path.toLowerCase().includes(q)));
  }, [rows, deferredQuery, kind]);

  const checkedVisible = useMemo(() => {
    if (checked.size === 0) return 0;
    let n = 0;
    for (const r of visible) if (checked.has(r.path)) n++;
    return n;
  }, [visible, checked]);

  const allVisibleChecked = visible.length > 0 && checkedVisible === visible.length;
  const someVisibleChecked = checkedVisible > 0 && !allVisibleChecked;

  const renderRow = (row: ChangeRow) => {
    const [dir, base] = splitPath(row.path);
    const isChecked = checked.has(row.path);
    return (
      <label className="change-row">
        <input
          type="checkbox"
          className="row-check"
          tabIndex={-1}
          aria-label={row.path}
          checked={isChecked}
          onChange={() => toggleChecked(row.path)}
        />
        <span className={`kind-badge kind-${row.kind}`} title={row.kind}>
          {KIND_LETTER[row.kind]}
        </span>
        <span className="change-path" title={row.path}>
          <span className="path-dir">{dir}</span>
          <span className="path-base">{base}</span>
          {row.type !== 'file' && <span className="path-type">{row.type}</span>}
        </span>
        {row.live && (
          <span className="live-tag" title="Reported live since the last diff">
            live
          </span>
        )}
        <span className="change-size">{row.kind === 'deleted' || row.type === 'dir' ? '' : formatBytes(row.size)}</span>
      </label>
    );
  };

  return (
    <div className="changes-tab">
      <div className="changes-toolbar">
        <label className="select-all">
          <input
            type="checkbox"
            aria-label="Check every change shown"
            checked={allVisibleChecked}
            ref={(el) => {
              if (el) el.indeterminate = someVisibleChecked;
            }}
            disabled={visible.length === 0}
            onChange={() =>
              setChecked(
                visible.map((r) => r.path),
                !allVisibleChecked,
              )
            }
          />
        </label>
        <input
          className="input filter-input"
          type="search"
          placeholder="Filter paths"
          aria-label="Filter paths"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <div className="segmented" role="group" aria-label="Kind of change">
          {FILTERS.map((f) => (
            <button key={f} type="button" className={kind === f ? 'seg seg-on' : 'seg'} aria-pressed={kind === f} onClick={() => setKind(f)}>
              {f === 'all' ? 'All' : f[0].toUpperCase() + f.slice(1)} <span className="seg-count">{counts[f].toLocaleString('en-US')}</span>
            </button>
          ))}
        </div>
        <span className="spacer" />
        {liveCount > 0 && <span className="muted small">{plural(liveCount, 'live update')}</span>}
        <button type="button" className="btn btn-ghost" onClick={() => void loadDiff()} disabled={status === 'loading'}>
          <Icon name="refresh" /> {status === 'loading' ? 'Diffing…' : 'Refresh diff'}
        </button>
      </div>

      {error && <ErrorBox error={error} />}

      {rows.length === 0 && status !== 'error' ? (
        <div className="empty-panel">
          {status === 'loading' ? (
            <p>Comparing the VM with the host…</p>
          ) : (
            <>
              <p className="empty-title">No changes</p>
              <p className="muted">Files this VM adds, modifies or deletes appear here as they happen. The host is untouched until you commit.</p>
            </>
          )}
        </div>
      ) : (
        <VirtualList
          className="changes-list"
          items={visible}
          rowHeight={ROW_HEIGHT}
          getKey={(r) => r.path}
          renderRow={renderRow}
          label={`Changes in ${vm}`}
          activeIndex={active}
          onActiveIndexChange={setActive}
          onActivate={(r) => toggleChecked(r.path)}
          isSelected={(r) => checked.has(r.path)}
          followTail
        />
      )}

      <div className="changes-footer">
        <span className="muted">
          {visible.length === rows.length ? plural(rows.length, 'change') : `${visible.length.toLocaleString('en-US')} of ${plural(rows.length, 'change')}`}
          {checked.size > 0 && ` · ${checked.size.toLocaleString('en-US')} checked`}
        </span>
        <span className="spacer" />
        {checked.size > 0 && (
          <button type="button" className="btn btn-ghost" onClick={clearChecked}>
            Uncheck all
          </button>
        )}
        <button type="button" className="btn btn-primary" disabled={checked.size === 0 || busy} onClick={() => openDialog({ kind: 'commit', vm })}>
          <Icon name="commit" /> Commit {checked.size > 0 ? checked.size.toLocaleString('en-US') : ''} checked…
        </button>
      </div>
    </div>
  );
}

/** What the VM changed in its Windows registry: keys with A/M/D badges, expandable to their values, checkable for a commit. */
import { useDeferredValue, useMemo, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { ChangeKind, RegistryChange } from '../../src/shared/types.js';
import { plural } from '../lib/format.js';
import { registryRows } from '../lib/registry-groups.js';
import type { RegistryKeyGroup, RegistryRow } from '../lib/registry-groups.js';
import { valueLabel } from '../lib/registry-value.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Icon } from './Icon.js';
import { VirtualList } from './VirtualList.js';

const ROW_HEIGHT = 26;
const KIND_LETTER: Record<ChangeKind, string> = { added: 'A', modified: 'M', deleted: 'D' };

function splitKey(key: string): [string, string] {
  const slash = key.lastIndexOf('\\');
  return [key.slice(0, slash + 1), key.slice(slash + 1)];
}

function ValueData({ change }: { readonly change: RegistryChange }) {
  const { before, after } = change;
  const typeChanged = before && after && before.type !== after.type;
  return (
    <>
      <span className="reg-type">{typeChanged ? `${before.type} → ${after.type}` : (after ?? before)?.type}</span>
      <span className="reg-data" title={[before?.data, after?.data].filter((d) => d !== undefined).join(' → ')}>
        {before && <span className={after ? 'reg-old' : 'reg-old reg-gone'}>{before.data === '' ? '""' : before.data}</span>}
        {before && after && <span className="reg-arrow"> → </span>}
        {after && <span className="reg-new">{after.data === '' ? '""' : after.data}</span>}
      </span>
    </>
  );
}

function LastCommit() {
  const last = useApp((s) => s.registry.lastCommit);
  const dismiss = useApp((s) => s.dismissRegistryCommit);
  const keys = useMemo(() => [...new Set(last?.changes.map((c) => c.key) ?? [])], [last]);
  if (!last) return null;
  return (
    <div className="callout reg-committed" role="status">
      <div className="reg-committed-head">
        <strong>
          Committed to the host{last.commit !== null ? ` (commit #${last.commit})` : ''}: {plural(last.changes.length, 'change')} in {plural(keys.length, 'key')}
        </strong>
        <span className="spacer" />
        <button type="button" className="icon-btn" aria-label="Dismiss" onClick={dismiss}>
          <Icon name="close" />
        </button>
      </div>
      <ul className="reg-committed-keys">
        {keys.slice(0, 6).map((k) => (
          <li key={k} className="mono ellipsis" title={k}>
            {k}
          </li>
        ))}
        {keys.length > 6 && <li className="muted">and {plural(keys.length - 6, 'more key')}</li>}
      </ul>
    </div>
  );
}

export function RegistryChanges({ vm }: { readonly vm: string }) {
  const status = useApp((s) => s.registry.status);
  const error = useApp((s) => s.registry.error);
  const groups = useApp((s) => s.registry.groups);
  const changeCount = useApp((s) => s.registry.changeCount);
  const includeNoise = useApp((s) => s.registry.includeNoise);
  const checked = useApp((s) => s.registry.checked);
  const loadRegistry = useApp((s) => s.loadRegistry);
  const setRegistryNoise = useApp((s) => s.setRegistryNoise);
  const toggleRegistryKey = useApp((s) => s.toggleRegistryKey);
  const setRegistryKeys = useApp((s) => s.setRegistryKeys);
  const clearRegistryKeys = useApp((s) => s.clearRegistryKeys);
  const openDialog = useApp((s) => s.openDialog);
  const busy = useApp((s) => s.busy[vm] !== undefined);

  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState(-1);
  const deferredQuery = useDeferredValue(query);

  const visible = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    if (q === '') return groups;
    return groups.filter((g) => g.key.toLowerCase().includes(q) || g.values.some((v) => (v.value ?? '').toLowerCase().includes(q)));
  }, [groups, deferredQuery]);
  const rows = useMemo(() => registryRows(visible, expanded), [visible, expanded]);
  const manyPrefixes = useMemo(() => new Set(groups.map((g) => g.prefix)).size > 1, [groups]);

  const checkedVisible = useMemo(() => visible.filter((g) => checked.has(g.key)).length, [visible, checked]);
  const allChecked = visible.length > 0 && checkedVisible === visible.length;
  const expandable = visible.filter((g) => g.values.length > 0);
  const allExpanded = expandable.length > 0 && expandable.every((g) => expanded.has(g.id));

  const setOpen = (group: RegistryKeyGroup, open: boolean) => {
    if (group.values.length === 0 || expanded.has(group.id) === open) return;
    const next = new Set(expanded);
    if (open) next.add(group.id);
    else next.delete(group.id);
    setExpanded(next);
  };

  // Tree keys on the list: Right opens a key, Left closes it (or goes from a value to its key).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[active];
    if (!row || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    event.preventDefault();
    if (event.key === 'ArrowRight') setOpen(row.group, true);
    else if (row.kind === 'key') setOpen(row.group, false);
    else setActive(rows.findIndex((r) => r.kind === 'key' && r.id === row.group.id));
  };

  const renderRow = (row: RegistryRow) => {
    if (row.kind === 'value') {
      const c = row.change;
      return (
        <div className="reg-row reg-value-row">
          <span className={`kind-badge kind-${c.kind}`} title={c.kind}>
            {KIND_LETTER[c.kind]}
          </span>
          <span className="reg-value-name" title={valueLabel(c.value ?? '')}>
            {valueLabel(c.value ?? '')}
          </span>
          <ValueData change={c} />
        </div>
      );
    }
    const g = row.group;
    const [parent, name] = splitKey(g.key);
    const open = expanded.has(g.id);
    return (
      <div className="reg-row">
        {g.values.length > 0 ? (
          <button
            type="button"
            className={open ? 'icon-btn reg-twisty reg-twisty-open' : 'icon-btn reg-twisty'}
            tabIndex={-1}
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} the values of ${g.key}`}
            onClick={() => setOpen(g, !open)}
          >
            <Icon name="chevron" />
          </button>
        ) : (
          <span className="reg-twisty" />
        )}
        <label className="reg-key-label">
          <input type="checkbox" className="row-check" tabIndex={-1} aria-label={g.key} checked={checked.has(g.key)} onChange={() => toggleRegistryKey(g.key)} />
          <span className={`kind-badge kind-${g.kind}`} title={g.kind}>
            {KIND_LETTER[g.kind]}
          </span>
          <span className="change-path" title={manyPrefixes ? `${g.key} (prefix ${g.prefix})` : g.key}>
            <span className="path-dir">{parent}</span>
            <span className="path-base">{name}</span>
          </span>
        </label>
        {manyPrefixes && <span className="reg-prefix mono">{g.prefix}</span>}
        <span className="reg-count">{g.values.length > 0 ? plural(g.values.length, 'value') : ''}</span>
      </div>
    );
  };

  return (
    <div className="changes-tab reg-changes">
      <div className="changes-toolbar">
        <label className="select-all">
          <input
            type="checkbox"
            aria-label="Check every key shown"
            checked={allChecked}
            ref={(el) => {
              if (el) el.indeterminate = checkedVisible > 0 && !allChecked;
            }}
            disabled={visible.length === 0}
            onChange={() =>
              setRegistryKeys(
                visible.map((g) => g.key),
                !allChecked,
              )
            }
          />
        </label>
        <input
          className="input filter-input"
          type="search"
          placeholder="Filter keys and values"
          aria-label="Filter keys and values"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" className="btn btn-ghost btn-small" disabled={expandable.length === 0} onClick={() => setExpanded(allExpanded ? new Set() : new Set(expandable.map((g) => g.id)))}>
          {allExpanded ? 'Collapse all' : 'Expand all'}
        </button>
        <label className="check reg-noise">
          <input type="checkbox" checked={includeNoise} onChange={(e) => setRegistryNoise(e.target.checked)} />
          <span>Show Wine&apos;s noise</span>
        </label>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={() => void loadRegistry()} disabled={status === 'loading'}>
          <Icon name="refresh" /> {status === 'loading' ? 'Reading…' : 'Refresh'}
        </button>
      </div>

      <LastCommit />
      {error && <ErrorBox error={error} />}

      {groups.length === 0 && status !== 'error' ? (
        <div className="empty-panel">
          {status === 'loading' || status === 'idle' ? (
            <p>Comparing the VM&apos;s registry with the host&apos;s…</p>
          ) : (
            <>
              <p className="empty-title">This VM has not changed the registry</p>
              <p className="muted">
                Windows programs run through Wine: run one in this VM (Run…, then <code>wine setup.exe</code>) and the keys and values it writes appear here. The
                host&apos;s registry is untouched until you commit.
              </p>
              {!includeNoise && <p className="muted small">Wine&apos;s own noise (timestamps, device and font caches) is hidden.</p>}
            </>
          )}
        </div>
      ) : (
        // Tree keys on top of the list's own (arrows, Page Up/Down, Space or Enter to check).
        <div className="reg-list-wrap" onKeyDown={onKeyDown}>
          <VirtualList
            className="changes-list"
            items={rows}
            rowHeight={ROW_HEIGHT}
            getKey={(r) => r.id}
            renderRow={renderRow}
            label={`Registry changes in ${vm}`}
            activeIndex={active}
            onActiveIndexChange={setActive}
            onActivate={(r) => toggleRegistryKey(r.group.key)}
            isSelected={(r) => r.kind === 'key' && checked.has(r.group.key)}
          />
        </div>
      )}

      <div className="changes-footer">
        <span className="muted">
          {visible.length === groups.length ? plural(groups.length, 'key') : `${visible.length.toLocaleString('en-US')} of ${plural(groups.length, 'key')}`} ·{' '}
          {plural(changeCount, 'change')}
          {checked.size > 0 && ` · ${checked.size.toLocaleString('en-US')} checked`}
        </span>
        <span className="spacer" />
        {checked.size > 0 && (
          <button type="button" className="btn btn-ghost" onClick={clearRegistryKeys}>
            Uncheck all
          </button>
        )}
        <button type="button" className="btn btn-primary" disabled={checked.size === 0 || busy} onClick={() => openDialog({ kind: 'reg-commit', vm })}>
          <Icon name="commit" /> Commit {checked.size > 0 ? `${plural(checked.size, 'selected key')}` : 'selected keys'}…
        </button>
      </div>
    </div>
  );
}

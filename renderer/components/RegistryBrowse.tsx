/** One key of the VM's registry at a time: roots, a path field, breadcrumbs, subkeys to descend into, values to edit. */
import { useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import type { ErrorData } from '../../src/shared/errors.js';
import type { RegistryValueInfo } from '../../src/shared/types.js';
import { plural } from '../lib/format.js';
import { BROWSE_ROOTS, breadcrumbs, childKeyPath, isHiveRoot, keyParts, parentKeyPath } from '../lib/registry-path.js';
import { editableData, valueLabel, writableType } from '../lib/registry-value.js';
import type { RegistryValueInput } from '../store/registry-browse-slice.js';
import { useApp } from '../store/use-app.js';
import { ErrorBox } from './ErrorBox.js';
import { Icon } from './Icon.js';
import { NewKeyForm, ValueForm } from './RegistryForms.js';
import { VirtualList } from './VirtualList.js';

const ROW_HEIGHT = 26;

/** The inline form open, for the key it was opened on (walking away closes it). */
type Editor =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly path: string; readonly initial: RegistryValueInput | null }
  | { readonly kind: 'key'; readonly path: string };

/** A key that does not exist: offer to make it (with its parents) in the VM. */
function MissingKey({ path }: { readonly path: string }) {
  const createKey = useApp((s) => s.createRegistryKey);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const create = async () => {
    setPending(true);
    const failure = await createKey(path);
    setPending(false);
    setError(failure);
  };
  return (
    <div className="reg-create-missing">
      <button type="button" className="btn btn-small" disabled={pending} onClick={() => void create()}>
        <Icon name="plus" /> Create {path} in the VM
      </button>
      {error && <ErrorBox error={error} />}
    </div>
  );
}

function PathField({ path }: { readonly path: string }) {
  const browse = useApp((s) => s.browseRegistryKey);
  const [draft, setDraft] = useState(path);
  const go = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() !== '') void browse(draft.trim());
  };
  return (
    <form className="reg-path-form" onSubmit={go} role="search" aria-label="Go to a key">
      <input className="input mono" aria-label="Key path" value={draft} spellCheck={false} autoComplete="off" onChange={(e) => setDraft(e.target.value)} />
      <button type="submit" className="btn">
        Go
      </button>
    </form>
  );
}

function Breadcrumbs({ path }: { readonly path: string }) {
  const browse = useApp((s) => s.browseRegistryKey);
  const crumbs = breadcrumbs(path);
  return (
    <nav className="reg-crumbs" aria-label="Breadcrumb">
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path}>
            {i === crumbs.length - 1 ? (
              <span aria-current="location" className="reg-crumb-here">
                {c.name}
              </span>
            ) : (
              <button type="button" className="reg-crumb" onClick={() => void browse(c.path)}>
                {c.name}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function Subkeys({ path, subkeys }: { readonly path: string; readonly subkeys: readonly string[] }) {
  const browse = useApp((s) => s.browseRegistryKey);
  const [active, setActive] = useState(-1);
  const up = parentKeyPath(path);
  // Left or Backspace goes up a level, as in a file manager's tree.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.key === 'ArrowLeft' || event.key === 'Backspace') && up !== null) {
      event.preventDefault();
      void browse(up);
    }
  };
  if (subkeys.length === 0) return <p className="muted small reg-none">No subkeys.</p>;
  return (
    <div className="reg-list-wrap" onKeyDown={onKeyDown}>
      <VirtualList
        className="reg-subkey-list"
        items={subkeys}
        rowHeight={ROW_HEIGHT}
        getKey={(name) => name}
        label={`Subkeys of ${path}`}
        activeIndex={active}
        onActiveIndexChange={setActive}
        onActivate={(name) => void browse(childKeyPath(path, name))}
        renderRow={(name) => (
          <div className="reg-subkey" onClick={() => void browse(childKeyPath(path, name))} title={childKeyPath(path, name)}>
            <Icon name="chevron" />
            <span className="ellipsis">{name}</span>
          </div>
        )}
      />
    </div>
  );
}

function Values({ vm, keyPath, values, onEdit }: { readonly vm: string; readonly keyPath: string; readonly values: readonly RegistryValueInfo[]; readonly onEdit: (v: RegistryValueInfo) => void }) {
  const openDialog = useApp((s) => s.openDialog);
  if (values.length === 0) return <p className="muted small reg-none">No values.</p>;
  return (
    <div className="table-scroll reg-values-scroll">
      <table className="table reg-values" aria-label={`Values of ${keyPath}`}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Data</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {values.map((v) => (
            <tr key={v.name}>
              <td className="mono reg-cell-name" title={valueLabel(v.name)}>
                {valueLabel(v.name)}
              </td>
              <td className="reg-cell-type">{v.type}</td>
              <td className="mono reg-cell-data" title={v.data}>
                {v.data}
              </td>
              <td className="reg-cell-actions">
                <button type="button" className="btn btn-ghost btn-small" aria-label={`Edit ${valueLabel(v.name)}`} disabled={writableType(v.type) === null} onClick={() => onEdit(v)}>
                  Edit
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-small btn-danger"
                  aria-label={`Delete ${valueLabel(v.name)}`}
                  onClick={() => openDialog({ kind: 'reg-delete', vm, key: keyPath, value: v.name })}
                >
                  <Icon name="trash" />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RegistryBrowse({ vm }: { readonly vm: string }) {
  const path = useApp((s) => s.registryBrowse.path);
  const view = useApp((s) => s.registryBrowse.view);
  const status = useApp((s) => s.registryBrowse.status);
  const error = useApp((s) => s.registryBrowse.error);
  const key = useApp((s) => s.registryBrowse.key);
  const keyPath = useApp((s) => s.registryBrowse.keyPath);
  const prefix = useApp((s) => s.registryBrowse.prefix);
  const atHiveRoot = isHiveRoot(path);
  const browse = useApp((s) => s.browseRegistryKey);
  const reload = useApp((s) => s.reloadRegistryKey);
  const setView = useApp((s) => s.setRegistryView);
  const openDialog = useApp((s) => s.openDialog);
  const [editor, setEditor] = useState<Editor>({ kind: 'none' });
  const root = keyParts(path)[0] ?? '';
  const shown = status === 'ready' && key !== null;
  const loading = status === 'loading';
  // Where the engine stores the key, when that is not what was asked (the 32-bit view's Wow6432Node).
  const storedAs = shown && key.key.toLowerCase() !== path.toLowerCase() ? key.key : null;
  const closeEditor = () => setEditor({ kind: 'none' });
  const editing = editor.kind !== 'none' && editor.path === path && shown ? editor : null;

  return (
    <div className="reg-browse">
      <div className="changes-toolbar">
        <div className="segmented" role="group" aria-label="Registry root">
          {BROWSE_ROOTS.map((r) => (
            <button key={r} type="button" className={root === r ? 'seg seg-on' : 'seg'} aria-pressed={root === r} onClick={() => void browse(r)}>
              {r}
            </button>
          ))}
        </div>
        <PathField key={path} path={path} />
        <label className="check reg-noise" title="What 32-bit programs see: HKLM\Software is Wow6432Node for them">
          <input type="checkbox" checked={view === '32'} onChange={(e) => setView(e.target.checked ? '32' : '64')} />
          <span>32-bit view</span>
        </label>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={() => void reload()} disabled={status === 'loading'}>
          <Icon name="refresh" /> {status === 'loading' ? 'Reading…' : 'Refresh'}
        </button>
      </div>

      <div className="reg-browse-head">
        <Breadcrumbs path={path} />
        <span className="spacer" />
        <button type="button" className="btn btn-small" disabled={!shown} onClick={() => setEditor({ kind: 'key', path })}>
          <Icon name="plus" /> New key
        </button>
        <button type="button" className="btn btn-small" disabled={!shown || atHiveRoot} onClick={() => setEditor({ kind: 'value', path, initial: null })}>
          <Icon name="plus" /> Add value
        </button>
        <button type="button" className="btn btn-small btn-danger" disabled={!shown || atHiveRoot} onClick={() => openDialog({ kind: 'reg-delete', vm, key: path })}>
          <Icon name="trash" /> Delete key…
        </button>
      </div>

      {error && (
        <div className="reg-error">
          <ErrorBox error={error} />
          {error.code === 'REGISTRY_KEY_NOT_FOUND' && <MissingKey key={path} path={path} />}
        </div>
      )}

      {editing?.kind === 'value' && <ValueForm key={editing.initial?.name ?? '\0new'} keyPath={path} initial={editing.initial} onDone={closeEditor} />}
      {editing?.kind === 'key' && <NewKeyForm parent={path} onDone={closeEditor} />}

      {key !== null && keyPath !== null && status !== 'error' ? (
        // While the next key loads, the last one stays (dimmed and inert) rather than the view collapsing.
        <div className={loading ? 'reg-browse-body reg-busy' : 'reg-browse-body'} aria-busy={loading} inert={loading}>
          <section className="reg-pane reg-subkeys" aria-label="Subkeys">
            <h3 className="reg-pane-title">Subkeys · {key.subkeys.length.toLocaleString('en-US')}</h3>
            <Subkeys key={keyPath} path={keyPath} subkeys={key.subkeys} />
          </section>
          <section className="reg-pane reg-values-pane" aria-label="Values">
            <h3 className="reg-pane-title">Values · {key.values.length.toLocaleString('en-US')}</h3>
            <Values
              vm={vm}
              keyPath={keyPath}
              values={key.values}
              onEdit={(v) => setEditor({ kind: 'value', path, initial: { name: v.name, type: writableType(v.type) ?? 'REG_SZ', data: editableData(v.type, v.data) } })}
            />
          </section>
        </div>
      ) : (
        <div className="reg-browse-body reg-browse-empty">{loading && <p className="muted pad">Reading {path}…</p>}</div>
      )}

      <div className="changes-footer reg-browse-foot">
        <span className="muted small">
          {loading
            ? `Reading ${path}…`
            : shown
              ? `${plural(key.subkeys.length, 'subkey')} · ${plural(key.values.length, 'value')}${storedAs ? ` · stored as ${storedAs}` : ''}`
              : ''}
        </span>
        <span className="spacer" />
        {prefix && <span className="muted small mono">Wine prefix {prefix}</span>}
        <span className="muted small">{view === '32' ? '32-bit view' : '64-bit view'} · edits stay in the VM until you commit</span>
      </div>
    </div>
  );
}

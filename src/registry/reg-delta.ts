/**
 * A VM's registry as a key-level delta over a host hive (DESIGN.md §6).
 *
 * Like a file copied up into an overlay, a key the VM writes is copied whole into the delta
 * (conceptually `\FVMRep\<vm>\HKCU\Software\X`) and from then on hides the host's version.
 * Deletions are logged: whole subtrees, and single values of host keys the VM has no copy of.
 * Keys the VM never touched are not in the delta, so later host changes to them stay visible.
 *
 * Invariants (kept by every function here and by harvest):
 * - `keys` has one entry per key id, sorted in Wine's order;
 * - no deleted root lies inside another; a key of `keys` may lie inside one (re-created after
 *   the delete, like a file under an opaque directory);
 * - a value deletion never names a key of `keys` (the copy already lacks the value) nor a key
 *   inside a deleted subtree.
 */
import { FvmError } from '../shared/errors.js';
import type { RegHeader, RegHive, RegKey, RegValue } from './reg-model.js';
import { findValue, makeKey, withValues } from './reg-model.js';
import { indexHive, splitKeyPath } from './reg-index.js';
import { ID_SEP, compareKeyPaths, compareNames, displayPath, foldName, isWithin, keyId } from './reg-names.js';

/** One value deleted from a host key. */
export interface ValueDeletion {
  readonly key: readonly string[];
  /** '' is the default value. */
  readonly name: string;
}

/** The VM's changes to one hive: copied keys and the deletion log (see the module comment). */
export interface RegDelta {
  /** Header of the hive the delta applies to (written into the delta file). */
  readonly header: RegHeader;
  /** The VM's whole copies of the keys it wrote or created. */
  readonly keys: readonly RegKey[];
  /** Roots of the subtrees the VM deleted. */
  readonly deletedKeys: readonly (readonly string[])[];
  /** Values the VM deleted from host keys it did not copy. */
  readonly deletedValues: readonly ValueDeletion[];
}

/** A delta that changes nothing. */
export function emptyDelta(header: RegHeader): RegDelta {
  return { header, keys: [], deletedKeys: [], deletedValues: [] };
}

/** True when the key id lies in one of the deleted subtrees. */
export function deletedBy(roots: ReadonlySet<string>, id: string): boolean {
  if (roots.size === 0) return false;
  if (roots.has(id)) return true;
  for (let i = id.indexOf(ID_SEP); i > 0; i = id.indexOf(ID_SEP, i + 1)) if (roots.has(id.slice(0, i))) return true;
  return false;
}

/**
 * The VM's view: host ⊕ delta ⊖ deletions.
 *
 * Host keys inside deleted subtrees go; the delta's copies replace or join the host's keys (in
 * Wine's order); logged value deletions are removed from the host keys they name. Untouched
 * keys are the host's own objects, so their source text and order survive.
 */
export function view(host: RegHive, delta: RegDelta): RegHive {
  if (delta.keys.length === 0 && delta.deletedKeys.length === 0 && delta.deletedValues.length === 0) return host;
  const hostIds = indexHive(host).ids;
  const copies = new Map(delta.keys.map((k) => [keyId(k.path), k]));
  const roots = new Set(delta.deletedKeys.map((p) => keyId(p)));
  const gone = new Map<string, Set<string>>();
  for (const d of delta.deletedValues) {
    const id = keyId(d.key);
    let names = gone.get(id);
    if (!names) gone.set(id, (names = new Set()));
    names.add(foldName(d.name));
  }
  const used = new Set<string>();
  const out: RegKey[] = [];
  host.keys.forEach((key, i) => {
    const id = hostIds[i];
    const copy = copies.get(id);
    if (copy) {
      out.push(copy);
      used.add(id);
      return;
    }
    if (deletedBy(roots, id)) return;
    const names = gone.get(id);
    out.push(names ? withValues(key, key.values.filter((v) => !names.has(foldName(v.name)))) : key);
  });
  const extra = delta.keys.filter((k) => !used.has(keyId(k.path)));
  return { header: host.header, keys: mergeSorted(out, extra), eol: host.eol };
}

/** Merges sorted new keys into a list in Wine's order (a host list out of order stays as it is). */
export function mergeSorted(base: readonly RegKey[], extra: readonly RegKey[]): RegKey[] {
  if (extra.length === 0) return [...base];
  const add = [...extra].sort((a, b) => compareKeyPaths(a.path, b.path));
  const out: RegKey[] = [];
  let j = 0;
  for (const key of base) {
    while (j < add.length && compareKeyPaths(add[j].path, key.path) < 0) out.push(add[j++]);
    out.push(key);
  }
  while (j < add.length) out.push(add[j++]);
  return out;
}

/** Inserts or replaces a key in a sorted key list. */
export function upsertKey(keys: readonly RegKey[], key: RegKey): RegKey[] {
  const id = keyId(key.path);
  const rest = keys.filter((k) => keyId(k.path) !== id);
  return mergeSorted(rest, [key]);
}

function notFound(what: string, hint = 'Check the key path; lookups ignore case.'): FvmError {
  return new FvmError('REGISTRY_KEY_NOT_FOUND', what, hint);
}

/** The path with each existing ancestor (and the key itself) in the case the view already has. */
function casedPath(all: ReadonlyMap<string, readonly string[]>, path: readonly string[]): readonly string[] {
  for (let n = path.length; n > 0; n--) {
    const known = all.get(keyId(path.slice(0, n)));
    if (known) return [...known, ...path.slice(n)];
  }
  return path;
}

/**
 * Sets values on a key of the VM's view, creating the key (and its ancestors) if needed.
 *
 * The first write copies the key whole into the delta (with its value deletions applied); a
 * value replaced keeps the case of its existing name, as in Wine. `time` is the new last-write
 * time (FILETIME); with no values it only creates the key. Each call builds the view once: for
 * many changes, edit the view and harvest it instead.
 */
export function applyWrite(host: RegHive, delta: RegDelta, keyPath: string | readonly string[], values: readonly RegValue[], time: bigint): RegDelta {
  const path = splitKeyPath(keyPath);
  if (path.length === 0) throw new FvmError('INVALID_ARGUMENT', 'cannot write values on the root of a hive', 'Name a key below the root.');
  const vi = indexHive(view(host, delta));
  const id = keyId(path);
  // Creating a key that exists changes nothing (RegCreateKeyEx), so it copies nothing either.
  if (values.length === 0 && vi.all.has(id)) return delta;
  const base = vi.written.get(id);
  let merged: RegValue[] = base ? [...base.values] : [];
  for (const v of values) {
    const folded = foldName(v.name);
    const at = merged.findIndex((m) => foldName(m.name) === folded);
    const value = at >= 0 && merged[at].name !== v.name ? { ...v, name: merged[at].name } : v;
    if (at >= 0) merged[at] = value;
    else merged = insertValueSorted(merged, value);
  }
  const key = base ? withValues(base, merged, time) : makeKey(casedPath(vi.all, path), merged, time);
  return {
    header: delta.header,
    keys: upsertKey(delta.keys, key),
    deletedKeys: delta.deletedKeys,
    deletedValues: delta.deletedValues.filter((d) => keyId(d.key) !== id),
  };
}

function insertValueSorted(values: readonly RegValue[], v: RegValue): RegValue[] {
  const at = values.findIndex((m) => compareNames(m.name, v.name) > 0);
  return at < 0 ? [...values, v] : [...values.slice(0, at), v, ...values.slice(at)];
}

/**
 * Deletes one value from a key of the VM's view.
 *
 * A key the VM already copied loses the value from its copy; a host key is not copied: the
 * deletion is logged, so the host's later changes to its other values stay visible.
 */
export function applyDeleteValue(host: RegHive, delta: RegDelta, keyPath: string | readonly string[], name: string, time: bigint): RegDelta {
  const path = splitKeyPath(keyPath);
  const vi = indexHive(view(host, delta));
  const id = keyId(path);
  if (!vi.all.has(id) && path.length > 0) throw notFound(`registry key not found: ${displayPath(path)}`);
  const key = vi.written.get(id);
  const value = key ? findValue(key, name) : undefined;
  if (!key || !value) throw notFound(`registry value "${name}" not found in ${displayPath(path)}`, 'Check the value name; names ignore case.');
  const copy = delta.keys.find((k) => keyId(k.path) === id);
  if (copy) {
    const folded = foldName(value.name);
    const keys = upsertKey(delta.keys, withValues(copy, copy.values.filter((v) => foldName(v.name) !== folded), time));
    return { ...delta, keys };
  }
  const deletedValues = [...delta.deletedValues, { key: key.path, name: value.name }].sort(compareDeletions);
  return { ...delta, deletedValues };
}

/** Order of value deletions in a delta: by key in Wine's order, then by name. */
export function compareDeletions(a: ValueDeletion, b: ValueDeletion): number {
  return compareKeyPaths(a.key, b.key) || compareNames(a.name, b.name);
}

/**
 * Deletes a key and its whole subtree from the VM's view.
 *
 * Copies inside the subtree are dropped and the subtree's root is logged if the host has
 * anything there. The parent stays, as in Windows: if it existed only because of this
 * subtree, an empty copy of it (at `time`) keeps it in the view.
 */
export function applyDeleteKey(host: RegHive, delta: RegDelta, keyPath: string | readonly string[], time: bigint): RegDelta {
  const path = splitKeyPath(keyPath);
  if (path.length === 0) throw new FvmError('INVALID_ARGUMENT', 'cannot delete the root of a hive', 'Name a key below the root.');
  const vi = indexHive(view(host, delta));
  const id = keyId(path);
  const cased = vi.all.get(id);
  if (!cased) throw notFound(`registry key not found: ${displayPath(path)}`);
  const hostAll = indexHive(host).all;
  const roots = new Set(delta.deletedKeys.map((p) => keyId(p)));
  let deletedKeys = delta.deletedKeys;
  const hostPath = hostAll.get(id);
  if (hostPath && !deletedBy(roots, id)) {
    deletedKeys = [...deletedKeys.filter((p) => !isWithin(keyId(p), id)), hostPath].sort(compareKeyPaths);
  }
  let next: RegDelta = {
    header: delta.header,
    keys: delta.keys.filter((k) => !isWithin(keyId(k.path), id)),
    deletedKeys,
    deletedValues: delta.deletedValues.filter((d) => !isWithin(keyId(d.key), id)),
  };
  if (path.length > 1) {
    const parent = cased.slice(0, -1);
    if (!indexHive(view(host, next)).all.has(keyId(parent))) {
      next = { ...next, keys: upsertKey(next.keys, makeKey(parent, [], time)) };
    }
  }
  return next;
}

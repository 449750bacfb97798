/**
 * Many edits of one hive at once: the keys of a .reg file, applied to the VM's view.
 *
 * The single-change functions of reg-delta.ts rebuild the view per call; an import of a .reg
 * file with hundreds of keys edits the view once here, and the caller harvests the result into
 * the delta (reg-harvest.ts), which keeps the delta minimal whatever the edits were.
 */
import type { RegHive, RegKey, RegValue } from './reg-model.js';
import { makeKey, withValues } from './reg-model.js';
import { indexHive } from './reg-index.js';
import { compareKeyPaths, compareNames, foldName, isWithin, keyId } from './reg-names.js';

/** One edit of a hive, by key path relative to the hive's root. */
export type HiveEdit =
  | { readonly kind: 'delete-key'; readonly path: readonly string[] }
  | { readonly kind: 'key'; readonly path: readonly string[]; readonly set: readonly RegValue[]; readonly remove: readonly string[] };

/** The hive after the edits, in order; new and changed keys get `time` (FILETIME). */
export function editHive(hive: RegHive, edits: readonly HiveEdit[], time: bigint): RegHive {
  const index = indexHive(hive);
  const written = new Map<string, RegKey>(hive.keys.map((k) => [keyId(k.path), k]));
  // Paths of every key (implicit ancestors too), in the case the hive already has.
  const all = new Map(index.all);
  let changed = false;
  for (const e of edits) {
    const id = keyId(e.path);
    if (e.path.length === 0) continue;
    if (e.kind === 'delete-key') {
      for (const k of [...written.keys()]) if (isWithin(k, id)) written.delete(k);
      for (const k of [...all.keys()]) if (isWithin(k, id)) all.delete(k);
      changed = true;
      continue;
    }
    const cased = casedPath(all, e.path);
    for (let i = 1; i <= cased.length; i++) all.set(keyId(cased.slice(0, i)), cased.slice(0, i));
    const old = written.get(id);
    let values: RegValue[] = old ? [...old.values] : [];
    for (const name of e.remove) {
      const f = foldName(name);
      values = values.filter((v) => foldName(v.name) !== f);
    }
    for (const v of e.set) {
      const f = foldName(v.name);
      const at = values.findIndex((x) => foldName(x.name) === f);
      if (at >= 0) values[at] = { ...v, name: values[at].name };
      else values.push(v);
    }
    values.sort((a, b) => compareNames(a.name, b.name));
    if (old) {
      if (e.set.length > 0 || e.remove.length > 0) {
        written.set(id, withValues(old, values, time));
        changed = true;
      }
    } else if (values.length > 0 || !index.all.has(id)) {
      // A new key, or an implicit one that now has values: Wine writes it from now on.
      written.set(id, makeKey(cased, values, time));
      changed = true;
    }
  }
  if (!changed) return hive;
  const keys = [...written.values()].sort((a, b) => compareKeyPaths(a.path, b.path));
  return { header: hive.header, keys, eol: hive.eol };
}

/** The path with each component that exists in the hive in the case it has there. */
function casedPath(all: ReadonlyMap<string, readonly string[]>, path: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const known = all.get(keyId(path.slice(0, i + 1)));
    out.push(known ? known[i] : path[i]);
  }
  return out;
}

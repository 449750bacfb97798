/**
 * Harvest: the minimal key-level delta that turns a host hive into the VM's new view.
 *
 * After a Wine program ends (and `wineserver -w`), the hive Wine wrote inside the VM is compared
 * with the host's: keys whose content differs are copied whole, keys that vanished are logged as
 * deleted subtrees, and a host key that only lost values is logged value by value instead of
 * copied, so the host's later changes to its other values stay visible. Key time stamps are not
 * content (every Wine start rewrites some), so a key that differs only there is left out.
 */
import type { RegHive, RegKey } from './reg-model.js';
import { makeKey, sameData } from './reg-model.js';
import { indexHive } from './reg-index.js';
import { compareDeletions, deletedBy, view, type RegDelta, type ValueDeletion } from './reg-delta.js';
import { compareKeyPaths, foldName, isWithin, keyId, parentId } from './reg-names.js';
import { isNoise } from './reg-noise.js';
import { hiveFileForRoot } from './key-path.js';
import { serializeKey } from './wine-reg-serializer.js';
import { sameBlockValues } from './wine-reg-parser.js';

/** How closely the harvested delta must reproduce the target. */
export interface HarvestOptions {
  /**
   * Reproduce the target byte for byte when serialized (used for the undo of a merge): time
   * stamps and written form count, and a key written in one hive but only implicit in the other
   * is re-created with its subtree.
   */
  readonly exact?: boolean;
  /** Leave out changes reg-noise.ts lists (a device's DriverDateData, Wine's font cache…). */
  readonly ignoreNoise?: boolean;
}

/** Computes the delta over `host` whose view is `target` (see the module comment). */
export function harvest(host: RegHive, target: RegHive, options: HarvestOptions = {}): RegDelta {
  const exact = options.exact === true;
  const H = indexHive(host);
  const T = indexHive(target);
  const hiveFile = options.ignoreNoise ? hiveFileForRoot(host.header.root) : null;

  // Deleted subtrees: host keys the target lacks, whose parent the target still has.
  const deleted: (readonly string[])[] = [];
  for (const [id, path] of H.all) {
    if (T.all.has(id)) continue;
    const pid = parentId(id);
    if (pid === null || T.all.has(pid)) deleted.push(path);
  }
  if (exact) {
    // A key Wine writes in the host but not in the target (it gained a subkey and has no
    // values) cannot be made implicit by a copy: delete it and re-create its subtree.
    for (const [id, key] of H.written) {
      if (!T.written.has(id) && T.all.has(id) && !deleted.some((p) => isWithin(id, keyId(p)))) {
        for (let i = deleted.length - 1; i >= 0; i--) if (isWithin(keyId(deleted[i]), id)) deleted.splice(i, 1);
        deleted.push(key.path);
      }
    }
  }
  const roots = new Set(deleted.map((p) => keyId(p)));

  const keys: RegKey[] = [];
  const deletedValues: ValueDeletion[] = [];
  const compare = (id: string, hk: RegKey | undefined, tk: RegKey): void => {
    if (deletedBy(roots, id)) {
      keys.push(tk);
      return;
    }
    if (!hk) {
      // Implicit in the host and empty in the target: the same key, only written differently.
      if (!exact && H.all.has(id) && isEmpty(tk)) return;
      keys.push(tk);
      return;
    }
    if (exact ? sameText(hk, tk) : sameContent(hk, tk, hiveFile)) return;
    const removed = exact ? null : onlyRemoved(hk, tk, hiveFile);
    if (removed) {
      for (const name of removed) deletedValues.push({ key: hk.path, name });
      return;
    }
    keys.push(tk);
  };
  target.keys.forEach((tk, i) => compare(T.ids[i], H.written.get(T.ids[i]), tk));
  if (!exact) {
    // A host key the target no longer writes but still has (it lost its values and kept
    // subkeys): compare it with an empty key, or its values would stay in the view.
    for (const [id, hk] of H.written) {
      const path = T.written.has(id) ? undefined : T.all.get(id);
      if (path) compare(id, hk, makeKey(path));
    }
  }

  let delta: RegDelta = {
    header: host.header,
    keys: keys.sort((a, b) => compareKeyPaths(a.path, b.path)),
    deletedKeys: deleted.sort(compareKeyPaths),
    deletedValues: deletedValues.sort(compareDeletions),
  };
  // A key of the target that exists only because of keys now deleted (the host's implicit parent
  // of a deleted subtree) would vanish from the view: copy it.
  const shown = indexHive(view(host, delta)).all;
  const missing: RegKey[] = [];
  for (const [id, path] of T.all) if (!shown.has(id)) missing.push(T.written.get(id) ?? makeKey(path));
  if (missing.length > 0) delta = { ...delta, keys: [...delta.keys, ...missing].sort((a, b) => compareKeyPaths(a.path, b.path)) };
  return delta;
}

function isEmpty(k: RegKey): boolean {
  return k.values.length === 0 && k.className === null && !k.link;
}

function sameText(a: RegKey, b: RegKey): boolean {
  return a === b || serializeKey(a) === serializeKey(b);
}

type HiveFileOrNull = ReturnType<typeof hiveFileForRoot>;

function noise(hive: HiveFileOrNull, key: RegKey, name: string): boolean {
  return hive !== null && isNoise(hive, key.path, name);
}

/** Same class, link flag, options and values (by folded name, type and data; order and time ignored). */
function sameContent(a: RegKey, b: RegKey, hive: HiveFileOrNull): boolean {
  if (a === b) return true;
  if (a.className !== b.className || a.link !== b.link || a.options.join('\n') !== b.options.join('\n')) return false;
  // Blocks read from files whose value lines are the same text: no need to build the values.
  if (sameBlockValues(a, b)) return true;
  const av = byName(a, hive);
  const bv = byName(b, hive);
  if (av.size !== bv.size) return false;
  for (const [name, v] of bv) {
    const w = av.get(name);
    if (!w || !sameData(v, w)) return false;
  }
  return true;
}

function byName(k: RegKey, hive: HiveFileOrNull): Map<string, RegKey['values'][number]> {
  const m = new Map<string, RegKey['values'][number]>();
  for (const v of k.values) if (!noise(hive, k, v.name)) m.set(foldName(v.name), v);
  return m;
}

/** Names of the host values the target dropped, if dropping is the only change; else null. */
function onlyRemoved(h: RegKey, t: RegKey, hive: HiveFileOrNull): string[] | null {
  if (h.className !== t.className || h.link !== t.link || h.options.join('\n') !== t.options.join('\n')) return null;
  const hv = byName(h, hive);
  const tv = byName(t, hive);
  if (tv.size >= hv.size) return null;
  for (const [name, v] of tv) {
    const w = hv.get(name);
    if (!w || !sameData(v, w)) return null;
  }
  const out: string[] = [];
  for (const v of h.values) if (!tv.has(foldName(v.name)) && !noise(hive, h, v.name)) out.push(v.name);
  return out;
}

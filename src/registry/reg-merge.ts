/**
 * Commit of a VM's registry delta into the host hive, and its undo.
 *
 * The new host hive is the view of the host through the selected part of the delta, so after a
 * commit of everything the host reads exactly as the VM did. The undo is itself a delta, over
 * the committed hive, whose view is the host as it was, byte for byte (for a host file in
 * Wine's order); `unmerge` applies it. Only the keys the delta touched are replaced: host
 * changes made since the VM copied a key are lost for those keys, as a file commit loses them.
 * The caller writes the result only while no wineserver runs for the prefix (DESIGN.md §6).
 */
import type { RegHive } from './reg-model.js';
import { indexHive, splitKeyPath } from './reg-index.js';
import { deletedBy, view, type RegDelta } from './reg-delta.js';
import { harvest } from './reg-harvest.js';
import { compareKeyPaths, isWithin, keyId } from './reg-names.js';

/** Every change, or the changes at and below each listed key path. */
export type MergeSelection = 'all' | readonly (string | readonly string[])[];

/** A committed hive with what it takes to undo the commit. */
export interface MergeResult {
  /** The host hive with the selected changes. */
  readonly hive: RegHive;
  /** A delta over `hive` that gives the previous host back (see unmerge). */
  readonly undo: RegDelta;
  /** The part of the delta that was applied. */
  readonly applied: RegDelta;
}

/** The part of a delta at and below the selected keys. */
export function selectDelta(host: RegHive, delta: RegDelta, selection: MergeSelection): RegDelta {
  if (selection === 'all') return delta;
  const sel = selection.map((p) => keyId(splitKeyPath(p)));
  const within = (id: string): boolean => sel.some((s) => isWithin(id, s));
  const hostAll = indexHive(host).all;
  const roots = new Set(delta.deletedKeys.map((p) => keyId(p)));
  const deletedKeys: (readonly string[])[] = [];
  for (const p of delta.deletedKeys) if (within(keyId(p))) deletedKeys.push(p);
  // A selected key inside a deleted subtree: delete just that part of it.
  for (const s of sel) {
    const path = hostAll.get(s);
    if (path && deletedBy(roots, s) && !deletedKeys.some((p) => isWithin(s, keyId(p)))) deletedKeys.push(path);
  }
  return {
    header: delta.header,
    keys: delta.keys.filter((k) => within(keyId(k.path))),
    deletedKeys: deletedKeys.filter((p, i) => !deletedKeys.some((q, j) => j !== i && isWithin(keyId(p), keyId(q)))).sort(compareKeyPaths),
    deletedValues: delta.deletedValues.filter((d) => within(keyId(d.key))),
  };
}

/** Applies the selected part of a VM's delta to the host hive and returns the undo with it. */
export function merge(host: RegHive, delta: RegDelta, selection: MergeSelection = 'all'): MergeResult {
  const applied = selectDelta(host, delta, selection);
  const hive = view(host, applied);
  return { hive, undo: harvest(hive, host, { exact: true }), applied };
}

/** Undoes a merge: the host hive as it was before, from the hive after it and the undo delta. */
export function unmerge(current: RegHive, undo: RegDelta): RegHive {
  return view(current, undo);
}

/**
 * Case-insensitive lookup in a hive, and its full key set.
 *
 * A hive file lists only the keys Wine writes; a key that has subkeys but no values is not
 * written and exists only as an ancestor (research/wine-reg-format.md §4.2). Diffs and views
 * must work on the full set, or a key that merely stopped being written would read as deleted.
 */
import { FvmError } from '../shared/errors.js';
import type { RegHive, RegKey, RegValue } from './reg-model.js';
import { findValue } from './reg-model.js';
import { ID_SEP, displayPath, keyId } from './reg-names.js';

/** Lookup tables of one hive, by key id (folded path). */
export interface HiveIndex {
  /** Written keys by id. */
  readonly written: ReadonlyMap<string, RegKey>;
  /** Every key that exists, written or implicit, by id, with its path in original case. */
  readonly all: ReadonlyMap<string, readonly string[]>;
  /** Ids of the written keys, in the hive's order (parallel to hive.keys). */
  readonly ids: readonly string[];
}

const cache = new WeakMap<RegHive, HiveIndex>();

/** The index of a hive, built once per hive object (hives are immutable). */
export function indexHive(hive: RegHive): HiveIndex {
  let index = cache.get(hive);
  if (!index) {
    index = buildIndex(hive);
    cache.set(hive, index);
  }
  return index;
}

function buildIndex(hive: RegHive): HiveIndex {
  const written = new Map<string, RegKey>();
  const all = new Map<string, readonly string[]>();
  const ids: string[] = [];
  for (const key of hive.keys) {
    const id = keyId(key.path);
    ids.push(id);
    written.set(id, key);
    if (all.has(id)) {
      all.set(id, key.path); // the written key's own case wins over an ancestor's copy
      continue;
    }
    all.set(id, key.path);
    // Walk up until an ancestor is already known: siblings share most ancestors.
    let end = id.length;
    for (let depth = key.path.length - 1; depth > 0; depth--) {
      end = id.lastIndexOf(ID_SEP, end - 1);
      const anc = id.slice(0, end);
      if (all.has(anc)) break;
      all.set(anc, key.path.slice(0, depth));
    }
  }
  return { written, all, ids };
}

/** Splits a key path given with single backslashes (`Software\Wine`) into components. */
export function splitKeyPath(path: string | readonly string[]): readonly string[] {
  if (typeof path !== 'string') return path;
  return path === '' ? [] : path.split('\\');
}

/** The written key at a path (case-insensitive), or undefined if absent or only implicit. */
export function getKey(hive: RegHive, path: string | readonly string[]): RegKey | undefined {
  return indexHive(hive).written.get(keyId(splitKeyPath(path)));
}

/** True when the key exists, written or as an ancestor of a written key. */
export function hasKey(hive: RegHive, path: string | readonly string[]): boolean {
  const p = splitKeyPath(path);
  return p.length === 0 || indexHive(hive).all.has(keyId(p));
}

/** A value of a key; throws REGISTRY_KEY_NOT_FOUND when the key does not exist. */
export function getValue(hive: RegHive, path: string | readonly string[], name: string): RegValue | undefined {
  const p = splitKeyPath(path);
  if (!hasKey(hive, p)) {
    throw new FvmError('REGISTRY_KEY_NOT_FOUND', `registry key not found: ${displayPath(p)}`, 'Check the key path; lookups ignore case.');
  }
  const key = indexHive(hive).written.get(keyId(p));
  return key ? findValue(key, name) : undefined;
}

/** Ids of the direct subkeys of a key, as the full key set has them. */
export function subkeyIds(hive: RegHive, path: readonly string[]): string[] {
  const id = keyId(path);
  const prefix = id === '' ? '' : id + ID_SEP;
  const out: string[] = [];
  for (const k of indexHive(hive).all.keys()) {
    if (k.startsWith(prefix) && k.length > prefix.length && k.indexOf(ID_SEP, prefix.length) < 0) out.push(k);
  }
  return out;
}

/**
 * What a VM changed in a hive: its view compared with the host's current hive.
 *
 * Works on the full key set (research/wine-reg-format.md §4.2), so a key that only stopped or
 * started being written is no change; never compares time stamps; compares values by type and
 * data, not by their text (`hex(7)` and `str(7)` can hold the same list); hides noise.
 */
import type { RegHive, RegKey, RegValue } from './reg-model.js';
import { findValue, sameData } from './reg-model.js';
import { indexHive } from './reg-index.js';
import { view, type RegDelta } from './reg-delta.js';
import { compareKeyPaths, compareNames, displayPath } from './reg-names.js';
import { hiveFileForRoot, type HiveFile } from './key-path.js';
import { isNoise } from './reg-noise.js';
import { sameBlockValues } from './wine-reg-parser.js';

/** One change of the VM's view against the host: a key, or one value of a key. */
export interface RegChange {
  readonly kind: 'added' | 'modified' | 'deleted';
  /** Key path relative to the hive, components joined by `\`, in the case the key has. */
  readonly key: string;
  readonly path: readonly string[];
  /** The value changed ('' = default value); absent for a change of the key itself. */
  readonly value?: string;
  /** The host's value (modified, deleted). */
  readonly before?: RegValue;
  /** The VM's value (added, modified). */
  readonly after?: RegValue;
}

/** What a diff shows. */
export interface DiffOptions {
  /** Include the changes reg-noise.ts lists. */
  readonly includeNoise?: boolean;
  /** Which hive this is, for the noise table; by default read from the header's root line. */
  readonly hive?: HiveFile;
}

const NO_KEY: RegKey = { path: [], seconds: null, time: null, className: null, link: false, options: [], values: [] };

/**
 * Changes of the VM's view over the host, sorted by key (Wine's order), the key's own change
 * first, then its values by name.
 *
 * An added key brings one entry per value; a deleted key is one entry (its values go with it).
 * A key's own change ('modified') is a change of its class or link flag.
 */
export function diff(host: RegHive, delta: RegDelta, options: DiffOptions = {}): RegChange[] {
  return diffHives(host, view(host, delta), options);
}

/** The same comparison between any two hives (e.g. the host before and after a commit). */
export function diffHives(before: RegHive, after: RegHive, options: DiffOptions = {}): RegChange[] {
  const B = indexHive(before);
  const A = indexHive(after);
  const hive = options.hive ?? hiveFileForRoot(before.header.root) ?? hiveFileForRoot(after.header.root);
  const keep = (path: readonly string[], value?: string): boolean => options.includeNoise === true || hive === null || !isNoise(hive, path, value);
  const out: RegChange[] = [];
  const add = (c: RegChange): void => {
    if (keep(c.path, c.value)) out.push(c);
  };
  for (const [id, path] of A.all) {
    if (id === '') continue;
    const ak = A.written.get(id) ?? NO_KEY;
    if (!B.all.has(id)) {
      add({ kind: 'added', key: displayPath(path), path });
      for (const v of ak.values) add({ kind: 'added', key: displayPath(path), path, value: v.name, after: v });
      continue;
    }
    const bk = B.written.get(id) ?? NO_KEY;
    if (ak === bk) continue;
    // Blocks read from files with the same value lines and flags: nothing changed that diff reports.
    if (ak.className === bk.className && ak.link === bk.link && sameBlockValues(ak, bk)) continue;
    if (ak.className !== bk.className || ak.link !== bk.link) add({ kind: 'modified', key: displayPath(path), path });
    for (const v of ak.values) {
      const old = findValue(bk, v.name);
      if (!old) add({ kind: 'added', key: displayPath(path), path, value: v.name, after: v });
      else if (!sameData(old, v)) add({ kind: 'modified', key: displayPath(path), path, value: v.name, before: old, after: v });
    }
    for (const v of bk.values) {
      if (!findValue(ak, v.name)) add({ kind: 'deleted', key: displayPath(path), path, value: v.name, before: v });
    }
  }
  for (const [id, path] of B.all) {
    if (id !== '' && !A.all.has(id)) add({ kind: 'deleted', key: displayPath(path), path });
  }
  return out.sort(compareChanges);
}

function compareChanges(a: RegChange, b: RegChange): number {
  const k = compareKeyPaths(a.path, b.path);
  if (k !== 0) return k;
  if (a.value === undefined || b.value === undefined) return a.value === undefined ? (b.value === undefined ? 0 : -1) : 1;
  return compareNames(a.value, b.value);
}

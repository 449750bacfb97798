/**
 * A hive's keys as the entries of a .reg file, for `fvm reg export`.
 *
 * Like regedit, every key of the subtree gets its own `[KEY]` block, the keys Wine does not write
 * (they only have subkeys) included, in Wine's order, with their values as they are.
 */
import type { RegHive } from './reg-model.js';
import { indexHive } from './reg-index.js';
import { compareKeyPaths, isWithin, keyId } from './reg-names.js';
import { userRootOf, type HiveFile } from './key-path.js';
import type { RegeditEntry } from './regedit-format.js';

/** The entries exporting a hive file's keys at and below `under` ([] = the whole hive). */
export function regeditEntries(hive: RegHive, file: HiveFile, under: readonly string[] = []): RegeditEntry[] {
  const index = indexHive(hive);
  const top = keyId(under);
  const { root, prefix } = userRootOf(file);
  const paths = [...index.all].filter(([id]) => id !== '' && isWithin(id, top)).map(([, path]) => path);
  paths.sort(compareKeyPaths);
  return paths.map((path) => ({
    kind: 'key',
    root,
    path: [...prefix, ...path],
    values: (index.written.get(keyId(path))?.values ?? []).map((value) => ({ kind: 'set', value })),
  }));
}

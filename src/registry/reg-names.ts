/**
 * Identity and order of registry names: case folding, key ids and Wine's sort order.
 *
 * Wine compares key and value names by lowercased UTF-16 code units, one unit at a time, so a
 * name never changes length when folded. JavaScript's `toLowerCase` works on code points and
 * can grow a string (U+0130 becomes two units), which would make two names that Wine treats as
 * different collide or sort differently; hence the unit-by-unit table below.
 */

/** Lowercase of each UTF-16 unit above 0x7f, filled lazily; -1 = not computed yet. */
const LOWER = new Int32Array(0x10000).fill(-1);

/** Lowercase of one UTF-16 code unit, keeping it one unit long. */
export function lowerUnit(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  let l = LOWER[c];
  if (l < 0) {
    const s = String.fromCharCode(c).toLowerCase();
    l = s.length === 1 ? s.charCodeAt(0) : c;
    LOWER[c] = l;
  }
  return l;
}

/** Folds a key or value name for case-insensitive identity (unit by unit, length kept). */
export function foldName(name: string): string {
  // Fast path: most names are ASCII without capitals after the first few characters; scanning
  // first avoids allocating when nothing changes.
  let i = 0;
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) break;
  }
  if (i === name.length) return name;
  let ascii = true;
  for (let j = i; j < name.length; j++) {
    if (name.charCodeAt(j) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return name.toLowerCase();
  let out = name.slice(0, i);
  for (; i < name.length; i++) out += String.fromCharCode(lowerUnit(name.charCodeAt(i)));
  return out;
}

/** Separator of key ids; a key name can never contain a backslash, so ids are unambiguous. */
export const ID_SEP = '\\';

/** The case-insensitive identity of a key path: folded components joined by a backslash. */
export function keyId(path: readonly string[]): string {
  if (path.length === 1) return foldName(path[0]);
  let id = '';
  for (let i = 0; i < path.length; i++) id += (i ? ID_SEP : '') + foldName(path[i]);
  return id;
}

/** Ids of every proper ancestor of a key id, nearest first (the root `''` excluded). */
export function ancestorIds(id: string): string[] {
  const out: string[] = [];
  for (let i = id.lastIndexOf(ID_SEP); i > 0; i = id.lastIndexOf(ID_SEP, i - 1)) out.push(id.slice(0, i));
  return out;
}

/** Id of the parent key, or null for a top-level key. */
export function parentId(id: string): string | null {
  const i = id.lastIndexOf(ID_SEP);
  return i < 0 ? null : id.slice(0, i);
}

/** True when `id` is `root` or lies in its subtree (`root` = '' is the hive root). */
export function isWithin(id: string, root: string): boolean {
  if (root === '') return true;
  return id === root || (id.length > root.length && id.charCodeAt(root.length) === 0x5c && id.startsWith(root));
}

/**
 * Wine's order of sibling names: lowercased units over the common length, then shorter first.
 *
 * This is why `_` (0x5f) sorts before letters and `B_under` after `ab`.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = lowerUnit(a.charCodeAt(i)) - lowerUnit(b.charCodeAt(i));
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** File order of key paths (depth-first pre-order with sorted siblings): component by component. */
export function compareKeyPaths(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const d = compareNames(a[i], b[i]);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A key path for messages: components joined by single backslashes, as users write them. */
export function displayPath(path: readonly string[]): string {
  return path.join('\\');
}

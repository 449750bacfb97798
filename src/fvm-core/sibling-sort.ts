/**
 * Sorts the entries of one directory by name, in the order of `<` on JS strings (UTF-16 code
 * units, a prefix first). Entry v's path is text[starts[v], ends[v]); its name starts `from`
 * code units in (siblings share the path up to there).
 *
 * A directory of thousands of entries sorted with a comparator costs a JS call and a string
 * comparison per step, n·log n of them; an upper tree of 100,000 new files spends more time
 * there than in everything else the diff does in Node. This is an MSD radix sort on code units
 * (one counting pass per character position), which reads each character about once and makes
 * no strings. Small groups and code units above 0xFF fall back to comparisons.
 */

/** Below this many entries a group is sorted by insertion: cheaper than another counting pass. */
const SMALL = 24;
/** Bucket 0: the name ends here; 1..256: code unit 0..255; 257: any larger code unit. */
const BUCKETS = 258;

interface Keys {
  readonly text: string;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Sorts `items` in place. Their names must be distinct. */
export function sortByTail(items: number[], text: string, starts: Int32Array, ends: Int32Array, from: number): void {
  if (items.length < 2) return;
  const keys: Keys = { text, starts, ends };
  sortGroup(items, 0, items.length, from, keys, new Array<number>(items.length), [], 0);
}

/** Compares two entries from relative position `pos` on. */
function compareFrom(a: number, b: number, pos: number, k: Keys): number {
  const x = k.starts[a] + pos;
  const y = k.starts[b] + pos;
  const xn = k.ends[a] - x;
  const yn = k.ends[b] - y;
  const n = Math.min(xn, yn);
  for (let i = 0; i < n; i++) {
    const d = k.text.charCodeAt(x + i) - k.text.charCodeAt(y + i);
    if (d !== 0) return d;
  }
  return xn - yn;
}

function insertionSort(items: number[], lo: number, hi: number, pos: number, k: Keys): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = items[i];
    let j = i - 1;
    while (j >= lo && compareFrom(items[j], v, pos, k) > 0) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = v;
  }
}

function bucketOf(v: number, pos: number, k: Keys): number {
  const at = k.starts[v] + pos;
  if (at >= k.ends[v]) return 0;
  const c = k.text.charCodeAt(at);
  return c < 256 ? c + 1 : 257;
}

/** Sorts items[lo, hi), all equal before `pos`, by their code units from `pos` on. */
function sortGroup(items: number[], lo: number, hi: number, pos: number, k: Keys, scratch: number[], counts: Int32Array[], depth: number): void {
  for (;;) {
    const n = hi - lo;
    if (n < 2) return;
    if (n <= SMALL) {
      insertionSort(items, lo, hi, pos, k);
      return;
    }
    // One counting array per depth, reused by every group at that depth.
    const count = (counts[depth] ??= new Int32Array(BUCKETS + 1));
    count.fill(0);
    for (let i = lo; i < hi; i++) count[bucketOf(items[i], pos, k) + 1]++;
    for (let b = 1; b <= BUCKETS; b++) count[b] += count[b - 1];
    // count[b] is now where bucket b starts (relative to lo); place, then copy back.
    const start = count.slice(0, BUCKETS + 1);
    for (let i = lo; i < hi; i++) {
      const v = items[i];
      scratch[count[bucketOf(v, pos, k)]++] = v;
    }
    for (let i = 0; i < n; i++) items[lo + i] = scratch[i];
    // Bucket 0 (the name ends here) holds at most one entry: names are distinct.
    const big0 = lo + start[257];
    const big1 = lo + start[BUCKETS];
    if (big1 - big0 > 1) {
      const group = items.slice(big0, big1).sort((a, b) => compareFrom(a, b, pos, k));
      for (let i = 0; i < group.length; i++) items[big0 + i] = group[i];
    }
    // Recurse into every bucket but the largest, which the loop takes (bounded stack depth).
    let largest = -1;
    let largestSize = 1;
    for (let b = 1; b < 257; b++) {
      const size = start[b + 1] - start[b];
      if (size > largestSize) {
        largestSize = size;
        largest = b;
      }
    }
    for (let b = 1; b < 257; b++) {
      if (b === largest) continue;
      const s = start[b];
      const e = start[b + 1];
      if (e - s > 1) sortGroup(items, lo + s, lo + e, pos + 1, k, scratch, counts, depth + 1);
    }
    if (largest < 0) return;
    hi = lo + start[largest + 1];
    lo += start[largest];
    pos++;
    depth++;
  }
}

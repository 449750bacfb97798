/**
 * One scanned upper tree (a VM's fs/ or a shared layer's) held as columns: entry i's fields in
 * typed arrays at i, its host path a range of one string.
 *
 * Why columns: the diff of a tree of 100,000 new files must not make an object (nor even a
 * string) per entry before it needs one. What the garbage collector copies, and the page faults
 * of a growing heap, cost more than the walk itself; typed arrays live outside the heap.
 */
import { sortByTail } from './sibling-sort.js';

/** What overlayfs makes of an upper entry: a whiteout is a char device 0:0. */
export type ScanKind = 'whiteout' | 'dir' | 'file' | 'symlink' | 'other';

/** The kinds by their code in ScannedTree.kinds. */
export const KINDS: readonly ScanKind[] = ['whiteout', 'dir', 'file', 'symlink', 'other'];
export const KIND_WHITEOUT = 0;
export const KIND_DIR = 1;
export const KIND_FILE = 2;
export const KIND_SYMLINK = 3;
export const KIND_OTHER = 4;

const S_IFMT = 0o170000;

/** The kind code of an lstat mode (and, for a char device, its device number). */
export function kindOfMode(mode: number, rdev: number): number {
  switch (mode & S_IFMT) {
    case 0o040000:
      return KIND_DIR;
    case 0o100000:
      return KIND_FILE;
    case 0o120000:
      return KIND_SYMLINK;
    case 0o020000:
      return rdev === 0 ? KIND_WHITEOUT : KIND_OTHER;
    default:
      return KIND_OTHER;
  }
}

export interface TreeMeta {
  readonly root: string;
  /** The VM's own tree (its entries can be moved); false for a shared layer (copy only). */
  readonly owned: boolean;
  /** Modification times are read (exports need them; the diff does not). */
  readonly times: boolean;
}

/**
 * Entry 0 is the root itself (host path "/"); every other entry comes after its directory.
 * Host path i is text[starts[i], ends[i]).
 */
export class ScannedTree {
  constructor(
    readonly meta: TreeMeta,
    readonly count: number,
    private readonly text: string,
    private readonly starts: Int32Array,
    private readonly ends: Int32Array,
    /** Index of the entry's directory (-1 for the root). */
    readonly parents: Int32Array,
    readonly kinds: Uint8Array,
    /** st_mode, file type bits included (as fs.Stats.mode). */
    readonly modes: Uint32Array,
    readonly uids: Uint32Array,
    readonly gids: Uint32Array,
    readonly sizes: Float64Array,
    /** As fs.Stats.mtimeMs; null unless scanned with times. */
    readonly mtimes: Float64Array | null,
    /** Symlink targets (decoded as readlinkSync decodes them), by entry. */
    readonly targets: ReadonlyMap<number, string>,
    /** Each directory's entries, sorted by name (UTF-16 code units, as Array.prototype.sort). */
    readonly children: ReadonlyMap<number, readonly number[]>,
    /**
     * The walk's order (each directory's entries right after it) is not the plain string order
     * of the host paths: a directory "a" has a later sibling "a" + c + … with c below "/".
     */
    readonly outOfPathOrder: boolean,
    /** Host paths of the directories that carry an opaque marker, where the scan read them. */
    readonly opaqueHosts: ReadonlySet<string> | null,
  ) {}

  get root(): string {
    return this.meta.root;
  }

  get owned(): boolean {
    return this.meta.owned;
  }

  /** The host path entry i stands for: "/a/b" is <root>/a/b. */
  host(i: number): string {
    return i === 0 ? '/' : this.text.slice(this.starts[i], this.ends[i]);
  }

  /** Whether entry i stands for host path `h` (without making its string). */
  hostIs(i: number, h: string): boolean {
    if (i === 0) return h === '/';
    return this.ends[i] - this.starts[i] === h.length && this.text.startsWith(h, this.starts[i]);
  }

  /** The last component of entry i's host path. */
  name(i: number): string {
    return i === 0 ? '' : this.text.slice(this.text.lastIndexOf('/', this.ends[i] - 1) + 1, this.ends[i]);
  }

  /** Where entry i lives on disk. */
  upper(i: number): string {
    return i === 0 ? this.root : this.root + this.host(i);
  }
}

/**
 * Collects entries in walk order (a directory before its entries). Host paths are either
 * ranges of one given string (find's output) or strings added one by one.
 */
export class TreeBuilder {
  count = 0;
  private readonly pieces: string[] | null;
  private starts: Int32Array;
  private ends: Int32Array;
  parents: Int32Array;
  kinds: Uint8Array;
  modes: Uint32Array;
  uids: Uint32Array;
  gids: Uint32Array;
  sizes: Float64Array;
  mtimes: Float64Array | null;
  private readonly targets = new Map<number, string>();
  private readonly children = new Map<number, number[]>();
  private length = 0;

  /** `text`: the string the host ranges are in; null to add host paths as strings. */
  constructor(
    readonly meta: TreeMeta,
    capacity: number,
    private readonly text: string | null,
  ) {
    this.pieces = text === null ? [] : null;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.parents = new Int32Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.modes = new Uint32Array(capacity);
    this.uids = new Uint32Array(capacity);
    this.gids = new Uint32Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.mtimes = meta.times ? new Float64Array(capacity) : null;
  }

  private grow(): void {
    const cap = this.parents.length * 2;
    const more = <T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.starts = more(this.starts);
    this.ends = more(this.ends);
    this.parents = more(this.parents);
    this.kinds = more(this.kinds);
    this.modes = more(this.modes);
    this.uids = more(this.uids);
    this.gids = more(this.gids);
    this.sizes = more(this.sizes);
    if (this.mtimes) this.mtimes = more(this.mtimes);
  }

  /** Entry i's host path as a string (a directory's, while its entries are added). */
  host(i: number): string {
    if (i === 0) return '/';
    return this.text !== null ? this.text.slice(this.starts[i], this.ends[i]) : (this.pieces as string[])[i];
  }

  /**
   * Adds an entry: its host path is text[start, end) (with a text) or `host` (without), never
   * "/" (the root is entry 0, added first, with any path).
   */
  add(host: string | null, start: number, end: number, parent: number, kind: number, mode: number, uid: number, gid: number, size: number, mtimeMs: number, target: string | undefined): number {
    if (this.count === this.parents.length) this.grow();
    const i = this.count++;
    if (this.pieces !== null) {
      const h = i === 0 ? '' : (host ?? '');
      this.pieces.push(h);
      start = this.length;
      this.length += h.length;
      end = this.length;
    }
    this.starts[i] = start;
    this.ends[i] = end;
    this.parents[i] = parent;
    this.kinds[i] = kind;
    this.modes[i] = mode;
    this.uids[i] = uid;
    this.gids[i] = gid;
    this.sizes[i] = size;
    if (this.mtimes) this.mtimes[i] = mtimeMs;
    if (kind === KIND_SYMLINK) this.targets.set(i, target ?? '');
    if (kind === KIND_DIR) this.children.set(i, []);
    if (parent >= 0) this.children.get(parent)?.push(i);
    return i;
  }

  finish(opaqueHosts: ReadonlySet<string> | null): ScannedTree {
    const text = this.text ?? (this.pieces as string[]).join('');
    const { starts, ends } = this;
    // Siblings share their host path up to the name, so it is the tail that orders them.
    let outOfPathOrder = false;
    for (const [dir, kids] of this.children) {
      const from = dir === 0 ? 1 : ends[dir] - starts[dir] + 1;
      sortByTail(kids, text, starts, ends, from);
      // Sorted, the siblings that extend a name x come right after x, the one whose next code
      // unit is lowest first: "a/…" sorts after "a-b" only if that one is right after "a".
      for (let j = 0; j + 1 < kids.length && !outOfPathOrder; j++) {
        const x = kids[j];
        const y = kids[j + 1];
        if (this.kinds[x] !== KIND_DIR) continue;
        const xn = ends[x] - starts[x];
        if (ends[y] - starts[y] <= xn || text.charCodeAt(starts[y] + xn) >= 0x2f) continue;
        outOfPathOrder = text.startsWith(text.slice(starts[x] + from, ends[x]), starts[y] + from);
      }
    }
    return new ScannedTree(this.meta, this.count, text, starts, ends, this.parents, this.kinds, this.modes, this.uids, this.gids, this.sizes, this.mtimes, this.targets, this.children, outOfPathOrder, opaqueHosts);
  }
}

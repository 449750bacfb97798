/**
 * Reads a whole upper tree (a VM's fs/ or a shared layer's) into columns, for the diff, the
 * commit plan, the deletion log and exports.
 *
 * An upper tree can hold hundreds of thousands of entries. One lstat per entry from Node costs
 * a system call and a fs.Stats object each; one `find -printf` process does the same walk in C
 * and hands back one buffer. Its fields go into typed arrays, not one object per entry: at
 * 100,000 entries the garbage collector's copying of live objects (and the page faults of a
 * growing heap) cost more than the walk itself. Where find is missing or its output cannot be
 * trusted, the same columns come from a plain lstat walk in Node.
 */
import { spawnSync, type StdioOptions } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KIND_DIR, KIND_SYMLINK, kindOfMode, TreeBuilder, type ScannedTree, type TreeMeta } from './upper-tree.js';
import { findTool } from './tools.js';
import { getfattrTool, OPAQUE_DUMP_ARGS, parseOpaqueDump } from '../redirect/xattr.js';

export type ScanMethod = 'find' | 'lstat';

export interface ScanOptions {
  /** The VM's own tree (its entries can be moved); false for a shared layer (copy only). */
  readonly owned?: boolean;
  /** Read modification times (exports need them; the diff does not). */
  readonly times?: boolean;
  /** 'lstat' forces the walk in Node (the reference the tests compare find's with). */
  readonly method?: ScanMethod;
}

/**
 * The tree under `root` (null when the root is not a directory). Names that are not valid
 * UTF-8 are left out with everything below them: a string path cannot name them, so neither
 * the diff nor a commit could act on them (the lstat walk of Node strings never saw them either).
 */
export function scanTreeSync(root: string, opts: ScanOptions = {}): ScannedTree | null {
  const dir = path.resolve(root);
  if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) return null;
  const meta = { root: dir, owned: opts.owned ?? true, times: opts.times ?? false };
  return (opts.method === 'lstat' ? null : scanWithFind(meta)) ?? scanWithLstatSync(meta);
}

// ---- the lstat walk ------------------------------------------------------------------------

function addStats(b: TreeBuilder, host: string, parent: number, st: fs.Stats): number {
  const kind = kindOfMode(st.mode, st.rdev);
  let target: string | undefined;
  if (kind === KIND_SYMLINK) {
    try {
      target = fs.readlinkSync(b.meta.root + host);
    } catch {
      target = '';
    }
  }
  return b.add(host, 0, 0, parent, kind, st.mode, st.uid, st.gid, st.size, st.mtimeMs, target);
}

function fillSync(b: TreeBuilder, dir: number): void {
  const host = b.host(dir);
  let names: Buffer[];
  try {
    names = fs.readdirSync(dir === 0 ? b.meta.root : b.meta.root + host, { encoding: 'buffer' });
  } catch {
    return; // unreadable: listed, contents unknown (as find reports it)
  }
  for (const raw of names) {
    if (!isUtf8(raw)) continue;
    const child = dir === 0 ? `/${raw.toString('utf8')}` : `${host}/${raw.toString('utf8')}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(b.meta.root + child);
    } catch {
      continue;
    }
    const i = addStats(b, child, dir, st);
    if (b.kinds[i] === KIND_DIR) fillSync(b, i);
  }
}

/** The reference walk: one lstat per entry. Also the fallback where find cannot serve. */
function scanWithLstatSync(meta: TreeMeta): ScannedTree {
  const b = new TreeBuilder(meta, 1024, null);
  addStats(b, '/', -1, fs.lstatSync(meta.root));
  fillSync(b, 0);
  return b.finish(null);
}

// ---- the find walk -------------------------------------------------------------------------

/**
 * Per entry: "TYPE MODE UID GID SIZE [MTIME ]DEPTH" NUL "SYMLINK TARGET" NUL "./PATH" NUL. NUL is
 * the one byte no name or target can hold; -printf writes names raw (no quoting) to a pipe.
 */
function findFormat(times: boolean): string {
  return `%y %m %U %G %s ${times ? '%T@ ' : ''}%d\\0%l\\0%p\\0`;
}

/**
 * The number of records in find's output, estimated from its first 64 KiB, a little over: the
 * columns are sized once (they grow if it was short), not zero-filled for a worst case.
 */
function estimateRecords(text: string): number {
  const sample = Math.min(text.length, 1 << 16);
  let nuls = 0;
  for (let i = text.indexOf('\0'); i >= 0 && i < sample; i = text.indexOf('\0', i + 1)) nuls++;
  const records = Math.max(1, Math.floor(nuls / 3));
  return Math.ceil((text.length / sample) * records * 1.1) + 16;
}

/** The largest output read as one string (V8 caps one-byte strings a little under 2^29). */
const MAX_OUTPUT = (1 << 29) - 64;

/**
 * The record find prints last, for its second start point "/" (pruned there): an output that
 * does not end with it was cut short.
 */
const END_RECORD = 'END\0';

/** The shell that runs getfattr for find (`-exec … {} +`): markers, then how many paths it was given. */
function dumpScript(): string {
  const args = OPAQUE_DUMP_ARGS.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return `"$0" ${args} -- "$@" >&3 2>/dev/null; printf '# checked %d\\n' "$#" >&3`;
}

/**
 * find's arguments. In the root on ".": every path comes out as "./<host path>". -P: never
 * follow a symlink. With `getfattr`, every directory's opaque marker is dumped to fd 3 by
 * getfattr processes find starts itself: no second process started from this (large) one.
 */
function findArgs(times: boolean, getfattr: string | null): string[] {
  const each = ['-printf', findFormat(times)];
  if (getfattr) each.push('-type', 'd', '-exec', '/bin/sh', '-c', dumpScript(), getfattr, '{}', '+');
  return ['-P', '.', '/', '(', '-path', '/', '-prune', '-printf', 'END\\0', ')', '-o', '(', ...each, ')'];
}

/**
 * An unnamed scratch file (created exclusively, then unlinked) for find's output: reading one
 * file costs Node far less than draining a pipe in 64 KiB steps.
 */
function openScratchSync(): number | null {
  const p = path.join(os.tmpdir(), `.fvm-scan-${process.pid}-${randomBytes(8).toString('hex')}`);
  let fd: number;
  try {
    fd = fs.openSync(p, 'wx+', 0o600);
  } catch {
    return null;
  }
  try {
    fs.unlinkSync(p);
    return fd;
  } catch {
    fs.closeSync(fd);
    fs.rmSync(p, { force: true });
    return null;
  }
}

function readAllSync(fd: number): Buffer | null {
  const size = fs.fstatSync(fd).size;
  if (size > MAX_OUTPUT) return null;
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, buf, got, size - got, got);
    if (n === 0) return null;
    got += n;
  }
  return buf;
}

function scanWithFind(meta: TreeMeta): ScannedTree | null {
  const find = findTool('find');
  if (!find) return null;
  const fd = openScratchSync();
  const xfd = fd === null ? null : openScratchSync();
  const getfattr = xfd === null ? null : getfattrTool();
  let out: Buffer | null = null;
  let dump: Buffer | null = null;
  try {
    const stdio: StdioOptions = ['ignore', fd ?? 'pipe', 'ignore', ...(getfattr && xfd !== null ? [xfd] : [])];
    const r = spawnSync(find, findArgs(meta.times, getfattr), { cwd: meta.root, stdio, maxBuffer: MAX_OUTPUT });
    if (r.error || r.signal) return null;
    out = fd === null ? r.stdout : readAllSync(fd);
    if (getfattr && xfd !== null) dump = readAllSync(xfd);
  } finally {
    if (fd !== null) fs.closeSync(fd);
    if (xfd !== null) fs.closeSync(xfd);
  }
  // Exit status 1 only means some entry could not be read (a directory without r or x): the
  // lstat walk skips those too. Whatever else went wrong shows in the parse.
  const parsed = out ? parseFindOutput(out, meta) : null;
  if (!parsed) return null;
  return parsed.finish(dump ? opaqueOfDump(dump.toString('utf8'), parsed.dirRecords) : null);
}

/**
 * The host paths marked opaque, from the dump of getfattr runs that were given every directory
 * find listed (their counts add up), else null (a run cut short: the markers are asked again).
 */
function opaqueOfDump(text: string, dirRecords: number): Set<string> | null {
  let checked = 0;
  for (const m of text.matchAll(/^# checked (\d+)$/gm)) checked += Number(m[1]);
  if (checked !== dirRecords) return null;
  const out = new Set<string>();
  for (const p of parseOpaqueDump(text)) if (p.startsWith('./')) out.add(p.slice(1));
  return out;
}

const TYPE_BITS: Readonly<Record<string, number>> = { d: 0o040000, f: 0o100000, l: 0o120000, c: 0o020000, b: 0o060000, p: 0o010000, s: 0o140000 };

interface Cursor {
  pos: number;
}

/** A decimal or octal number at c.pos, ended by one separator; c.pos moves past it. */
function readNumber(text: string, c: Cursor, base: number): number {
  let i = c.pos;
  let v = 0;
  for (let ch = text.charCodeAt(i); ch >= 48 && ch <= 57; ch = text.charCodeAt(++i)) v = v * base + (ch - 48);
  c.pos = i + 1;
  return v;
}

/** find's %T@ is "SEC.NNNNNNNNN0" (SEC signed, the fraction always positive): as fs.Stats.mtimeMs. */
function readTime(text: string, c: Cursor): number {
  let i = c.pos;
  const neg = text.charCodeAt(i) === 45;
  if (neg) i++;
  let sec = 0;
  let ch = text.charCodeAt(i);
  for (; ch >= 48 && ch <= 57; ch = text.charCodeAt(++i)) sec = sec * 10 + (ch - 48);
  let nsec = 0;
  let digits = 0;
  if (ch === 46) {
    for (ch = text.charCodeAt(++i); ch >= 48 && ch <= 57; ch = text.charCodeAt(++i)) {
      if (digits < 9) {
        nsec = nsec * 10 + (ch - 48);
        digits++;
      }
    }
  }
  for (; digits < 9; digits++) nsec *= 10;
  c.pos = i + 1;
  // The same arithmetic as Node's, so the double is the same to the last bit.
  return (neg ? -sec : sec) * 1000 + nsec / 1e6;
}

/** A field read as latin1 (bytes as chars), back to UTF-8; null when it is not valid UTF-8. */
function utf8Of(latin1: string, strict: boolean): string | null {
  const b = Buffer.from(latin1, 'latin1');
  if (strict && !isUtf8(b)) return null;
  return b.toString('utf8');
}

/** The tree from find's output (run in the root on "."); null when it is not a complete walk. */
function parseFindOutput(out: Buffer, meta: TreeMeta): { finish: (opaque: Set<string> | null) => ScannedTree; dirRecords: number } | null {
  // latin1 keeps every byte as one char (a one-byte V8 string, cheap to search), and the host
  // paths stay ranges of it. Only a tree with bytes ≥ 0x80 needs its paths decoded as UTF-8,
  // and then one by one.
  if (out.length < END_RECORD.length || out.toString('latin1', out.length - END_RECORD.length) !== END_RECORD) return null;
  const text = out.toString('latin1', 0, out.length - END_RECORD.length);
  const highBytes = /[\u0080-\u00ff]/.test(text);
  const b = new TreeBuilder(meta, estimateRecords(text), highBytes ? null : text);
  const stack: number[] = []; // the directory at each depth
  const c: Cursor = { pos: 0 };
  let dirRecords = 0;
  // Below a name that is left out, everything is left out: skip to depths ≤ its own.
  let skipBelow = Infinity;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const e1 = text.indexOf('\0', i);
    const e2 = e1 < 0 ? -1 : text.indexOf('\0', e1 + 1);
    const e3 = e2 < 0 ? -1 : text.indexOf('\0', e2 + 1);
    if (e3 < 0) return null; // cut short
    const typeBits = TYPE_BITS[text[i]];
    c.pos = i + 2;
    const perm = readNumber(text, c, 8);
    const uid = readNumber(text, c, 10);
    const gid = readNumber(text, c, 10);
    const size = readNumber(text, c, 10);
    const mtimeMs = meta.times ? readTime(text, c) : NaN;
    const depth = readNumber(text, c, 10);
    if (c.pos !== e1 + 1 || typeBits === undefined || text.charCodeAt(e2 + 1) !== 46) return null; // not our format
    if (typeBits === TYPE_BITS.d) dirRecords++;
    // "./a/b": the host path "/a/b" is text[start, e3).
    const start = e2 + 2;
    i = e3 + 1;
    if (depth > skipBelow) continue;
    skipBelow = Infinity;
    const mode = typeBits | perm;
    if (depth === 0) {
      if (typeBits !== TYPE_BITS.d || b.count !== 0 || start !== e3) return null;
      stack.push(b.add(null, start, e3, -1, KIND_DIR, mode, uid, gid, size, mtimeMs, undefined));
      continue;
    }
    const parent = depth <= stack.length ? stack[depth - 1] : undefined;
    if (parent === undefined) return null;
    let host: string | null = null;
    let target: string | undefined = e2 > e1 + 1 ? text.slice(e1 + 1, e2) : undefined;
    if (highBytes) {
      host = utf8Of(text.slice(start, e3), true);
      if (host === null) {
        skipBelow = depth;
        continue;
      }
      if (target !== undefined) target = utf8Of(target, false) ?? '';
    }
    let rdev = 0;
    if (typeBits === TYPE_BITS.c) {
      // find prints no device numbers: a char device (a whiteout, nearly always) is asked alone.
      const st = fs.lstatSync(meta.root + (host ?? text.slice(start, e3)), { throwIfNoEntry: false });
      if (!st) continue;
      rdev = st.rdev;
    }
    const kind = kindOfMode(mode, rdev);
    const idx = b.add(host, start, e3, parent, kind, mode, uid, gid, size, mtimeMs, target);
    if (kind === KIND_DIR) {
      stack.length = depth;
      stack.push(idx);
    }
  }
  if (b.count === 0) return null;
  return { finish: (opaque) => b.finish(opaque), dirRecords };
}

/**
 * The checks and the staging of a bundle's entries, one at a time as the archive streams by,
 * and the final comparison with the index (see bundle-reader.ts for the threat model).
 *
 * Every name is checked before use; files are created with O_EXCL|O_NOFOLLOW below directories
 * this stager created itself, and an entry is only accepted inside a directory entry seen
 * before it (never through a symlink); sizes are checked against the manifest's declared totals
 * and the free space before data is written; the index's sha256 of every entry (and of the
 * manifest) must match at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ReadEntry } from 'tar';
import { FvmError } from '../../shared/errors.js';
import { parseDeletionLog, type DeletionEntry } from '../../redirect/deletion-log.js';
import { LIMITS, corrupt, parseIndex, parseManifest, type BundleIndex, type BundleManifest, type IndexEntryType } from './bundle-format.js';
import { classifyEntryName, hostPathOfTreeRel, isSafeLinkTarget, unsafePath, type EntryName } from './entry-path.js';

export interface StagedDir {
  /** Host path (tree) or path relative to the registry directory. */
  readonly path: string;
  readonly mode: number;
  readonly mtime: Date | undefined;
  /** Its mode only mirrors the exporting host's dir: give it the importing host's. */
  readonly mirrorsHost: boolean;
}

export interface ReadBundleResult {
  readonly manifest: BundleManifest;
  readonly deletions: readonly DeletionEntry[];
  /** Host paths of everything the tree holds, in archive order. */
  readonly treePaths: readonly string[];
  readonly treeDirs: readonly StagedDir[];
  readonly registryDirs: readonly StagedDir[];
  readonly symlinks: readonly string[];
  readonly entries: number;
  readonly bytes: number;
}

interface Seen {
  readonly type: IndexEntryType;
  readonly mode: number;
  readonly size: number;
  sha256?: string;
  readonly target?: string;
}

export interface StagerOptions {
  /** Receives `<staging>/fs/<host path>` entries. */
  readonly fsDir: string;
  /** Receives `registry/` entries. */
  readonly registryDir: string;
  /** Called once the manifest is read and checked, before any data is written. */
  readonly onManifest?: (m: BundleManifest) => void;
}

export class BundleStager {
  private manifest: BundleManifest | null = null;
  private manifestSha = '';
  private index: BundleIndex | null = null;
  private deletions: DeletionEntry[] = [];
  private deletionLogSeen = false;
  private readonly seen = new Map<string, Seen>();
  private readonly treePaths: string[] = [];
  private readonly treeDirs: Array<StagedDir & { readonly name: string }> = [];
  private readonly registryDirs: StagedDir[] = [];
  private readonly symlinks: string[] = [];
  private bytes = 0;
  private indexDeclared = 0;
  /** Set by the reader at the first error: later data is drained, never written. */
  failed: unknown = null;

  constructor(
    private readonly file: string,
    private readonly opts: StagerOptions,
  ) {}

  /** Decompressed bytes a bundle may reach: its declared data plus headers and padding. */
  allowance(): number {
    const head = LIMITS.manifestBytes + 64 * 1024;
    if (!this.manifest) return head;
    const c = this.manifest.contents;
    return head + c.bytes + this.indexDeclared + (c.entries + 4) * 2048 + (1 << 20);
  }

  /** Checks one entry and stages it (the manifest, the index and the deletion log are held in memory). */
  onEntry(e: ReadEntry, fail: (err: unknown) => void): void {
    const isDir = e.type === 'Directory';
    const name = classifyEntryName(e.path, isDir, this.file);
    if (!this.manifest && name.section !== 'manifest') throw corrupt(this.file, `not an FVM bundle: it does not start with its manifest`);
    if (this.index) throw corrupt(this.file, `entry ${JSON.stringify(name.name)} after the index`);
    this.checkType(e, name);
    switch (name.section) {
      case 'manifest':
        if (this.manifest || this.manifestSha) throw corrupt(this.file, 'duplicate manifest');
        this.buffer(e, LIMITS.manifestBytes, fail, (data) => {
          this.manifestSha = crypto.createHash('sha256').update(data).digest('hex');
          const m = parseManifest(data.toString('utf8'), this.file);
          if (m.contents.entries > LIMITS.entries) throw tooLarge(this.file, `declares ${m.contents.entries} entries (at most ${LIMITS.entries})`);
          this.checkSpace(m.contents.bytes);
          this.manifest = m;
          this.opts.onManifest?.(m);
        });
        return;
      case 'index':
        this.indexDeclared = e.size;
        this.buffer(e, LIMITS.indexBytes, fail, (data) => {
          this.index = parseIndex(data.toString('utf8'), this.file);
        });
        return;
      case 'deletion-log':
        if (this.deletionLogSeen) throw corrupt(this.file, `duplicate entry ${name.name}`);
        this.deletionLogSeen = true;
        this.count(name, e.size);
        this.buffer(e, LIMITS.deletionLogBytes, fail, (data) => {
          this.record(name.name, { type: 'file', mode: e.mode ?? 0, size: data.length, sha256: sha(data) });
          try {
            this.deletions = parseDeletionLog(data.toString('utf8'), `${this.file}: deleted.log`);
          } catch (err) {
            throw corrupt(this.file, (err as Error).message);
          }
        });
        return;
      case 'tree':
      case 'registry':
        this.count(name, e.size);
        this.writeEntry(e, name, fail);
        return;
    }
  }

  private checkType(e: ReadEntry, name: EntryName): void {
    switch (e.type) {
      case 'File':
      case 'OldFile':
        return;
      case 'Directory':
        if (name.section === 'tree' || name.section === 'registry') return;
        break;
      case 'SymbolicLink':
        if (name.section === 'tree') return;
        throw unsafePath(this.file, name.name, `is a symlink (to ${JSON.stringify(e.linkpath)}) where only files belong`);
      case 'Link': {
        const target = String(e.linkpath ?? '');
        const outside = target.startsWith('/') || target.split('/').includes('..');
        throw unsafePath(this.file, name.name, `is a hard link to ${JSON.stringify(target.slice(0, 300))}${outside ? ', outside the bundle' : ''}: bundles hold no hard links`);
      }
      case 'CharacterDevice':
      case 'BlockDevice':
        throw unsafePath(this.file, name.name, 'is a device file');
      case 'FIFO':
        throw unsafePath(this.file, name.name, 'is a FIFO');
      default:
        break;
    }
    throw corrupt(this.file, `entry ${JSON.stringify(name.name)} has the unsupported type ${e.type}`);
  }

  /** Counts an entry against the manifest's declared totals, before its data arrives. */
  private count(name: EntryName, size: number): void {
    const m = this.manifest as BundleManifest;
    if (this.seen.has(name.name)) throw corrupt(this.file, `duplicate entry ${JSON.stringify(name.name)}`);
    if (this.seen.size + 1 > m.contents.entries) throw corrupt(this.file, `holds more entries than its manifest declares (${m.contents.entries})`);
    if (size > m.contents.bytes - this.bytes) {
      throw tooLarge(this.file, `entry ${JSON.stringify(name.name)} declares ${size} bytes, more than the ${m.contents.bytes - this.bytes} left of the manifest's total`);
    }
    this.bytes += size;
  }

  private checkSpace(bytes: number): void {
    let free = Number.POSITIVE_INFINITY;
    try {
      const s = fs.statfsSync(this.opts.fsDir);
      free = s.bavail * s.bsize;
    } catch {
      // no statfs: the per-entry limits still hold
    }
    if (bytes > free) {
      throw tooLarge(this.file, `declares ${bytes} bytes of data, but only ${free} bytes are free for the repository`, 'Free some space in the repository\'s file system (or set FVM_HOME elsewhere); if the size is absurd, the bundle is hostile.');
    }
  }

  private record(name: string, s: Seen): void {
    this.seen.set(name, s);
  }

  /** A small entry read into memory, at most `limit` bytes. */
  private buffer(e: ReadEntry, limit: number, fail: (err: unknown) => void, done: (data: Buffer) => void): void {
    if (e.type !== 'File' && e.type !== 'OldFile') throw corrupt(this.file, `${e.path} must be a file`);
    if (e.size > limit) throw tooLarge(this.file, `${e.path} declares ${e.size} bytes (at most ${limit})`);
    const chunks: Buffer[] = [];
    e.on('data', (c: Buffer) => chunks.push(c));
    e.on('end', () => {
      if (this.failed) return;
      try {
        const data = Buffer.concat(chunks);
        if (data.length !== e.size) throw corrupt(this.file, `truncated: ${e.path} ends early`);
        done(data);
      } catch (err) {
        fail(err);
      }
    });
  }

  /** Where a `tree/` or `registry/` entry goes, after checking its parent is a directory entry seen before. */
  private targetOf(name: EntryName): string {
    if (name.rel === '') throw corrupt(this.file, `unexpected entry ${JSON.stringify(name.name)}`);
    const parent = path.posix.dirname(name.name);
    const root = name.section === 'tree' ? 'tree' : 'registry';
    if (parent !== root) {
      const p = this.seen.get(parent);
      if (!p) throw corrupt(this.file, `entry ${JSON.stringify(name.name)} comes before its directory`);
      if (p.type === 'symlink') throw unsafePath(this.file, name.name, `would be written through the symlink ${parent} (to ${JSON.stringify(p.target)})`);
      if (p.type !== 'dir') throw corrupt(this.file, `entry ${JSON.stringify(name.name)} lies inside a file`);
    }
    return name.section === 'tree' ? path.join(this.opts.fsDir, name.rel) : path.join(this.opts.registryDir, name.rel);
  }

  private writeEntry(e: ReadEntry, name: EntryName, fail: (err: unknown) => void): void {
    const target = this.targetOf(name);
    const host = name.section === 'tree' ? hostPathOfTreeRel(name.rel) : name.rel;
    const mode = (e.mode ?? 0) & 0o7777;
    if (name.section === 'tree') this.treePaths.push(host);
    if (e.type === 'Directory') {
      fs.mkdirSync(target, { mode: 0o700 });
      if (name.section === 'tree') this.treeDirs.push({ name: name.name, path: host, mode, mtime: e.mtime, mirrorsHost: false });
      else this.registryDirs.push({ path: host, mode, mtime: e.mtime, mirrorsHost: false });
      this.record(name.name, { type: 'dir', mode, size: 0 });
      e.resume();
      return;
    }
    if (e.type === 'SymbolicLink') {
      const link = String(e.linkpath ?? '');
      if (!isSafeLinkTarget(host, link)) throw unsafePath(this.file, name.name, `is a symlink to ${JSON.stringify(link.slice(0, 300))}, which climbs out of the VM's tree`);
      fs.symlinkSync(link, target);
      this.symlinks.push(host);
      this.record(name.name, { type: 'symlink', mode: 0o777, size: 0, target: link });
      e.resume();
      return;
    }
    const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    const hash = crypto.createHash('sha256');
    let written = 0;
    const seen: Seen = { type: 'file', mode, size: e.size };
    this.record(name.name, seen);
    let open = true;
    const close = () => {
      if (open) fs.closeSync(fd);
      open = false;
    };
    e.on('data', (c: Buffer) => {
      if (this.failed) return close();
      try {
        fs.writeSync(fd, c, 0, c.length);
        hash.update(c);
        written += c.length;
      } catch (err) {
        close();
        fail(new FvmError('IO_ERROR', `import ${this.file}: cannot write ${host}: ${(err as Error).message}`, 'Free some space in the repository\'s file system, then import again.'));
      }
    });
    e.on('end', () => {
      if (this.failed) return close();
      try {
        if (written !== e.size) throw corrupt(this.file, `truncated: ${name.name} ends early`);
        // Set-id bits are dropped: the files now belong to whoever imports, and a bundle is foreign.
        fs.fchmodSync(fd, mode & 0o1777);
        if (e.mtime) fs.futimesSync(fd, e.mtime, e.mtime);
        close();
        seen.sha256 = hash.digest('hex');
      } catch (err) {
        close();
        fail(err);
      }
    });
  }

  /** The index must list exactly what was read, with the same types, modes, sizes and sha256. */
  verify(): ReadBundleResult {
    const m = this.manifest;
    if (!m) throw corrupt(this.file, 'not an FVM bundle: no manifest');
    const idx = this.index;
    if (!idx) throw corrupt(this.file, 'truncated: the archive ends before its index');
    if (idx.manifestSha256 !== this.manifestSha) throw checksum(this.file, 'the manifest');
    if (!this.deletionLogSeen) throw corrupt(this.file, 'has no deletion log');
    const listed = new Map<string, BundleIndex['entries'][number]>();
    for (const x of idx.entries) {
      if (listed.has(x.path)) throw corrupt(this.file, `the index lists ${JSON.stringify(x.path)} twice`);
      listed.set(x.path, x);
    }
    if (listed.size !== this.seen.size) throw corrupt(this.file, `the index lists ${listed.size} entries, the archive holds ${this.seen.size}`);
    if (this.seen.size !== m.contents.entries || this.bytes !== m.contents.bytes) {
      throw corrupt(this.file, `holds ${this.seen.size} entries / ${this.bytes} bytes, its manifest declares ${m.contents.entries} / ${m.contents.bytes}`);
    }
    for (const [name, s] of this.seen) {
      const x = listed.get(name);
      if (!x) throw corrupt(this.file, `entry ${JSON.stringify(name)} is missing from the index`);
      if (x.type !== s.type || x.size !== s.size || (s.type !== 'symlink' && x.mode !== s.mode) || x.target !== s.target) {
        throw corrupt(this.file, `entry ${JSON.stringify(name)} differs from the index (type, mode, size or link target)`);
      }
      if (s.type === 'file' && x.sha256 !== s.sha256) throw checksum(this.file, JSON.stringify(name));
    }
    return {
      manifest: m,
      deletions: this.deletions,
      treePaths: this.treePaths,
      treeDirs: this.treeDirs.map((d) => ({ path: d.path, mode: d.mode, mtime: d.mtime, mirrorsHost: listed.get(d.name)?.mirrorsHost === true })),
      registryDirs: this.registryDirs,
      symlinks: this.symlinks,
      entries: this.seen.size,
      bytes: this.bytes,
    };
  }
}

function sha(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function tooLarge(file: string, detail: string, hint = 'The bundle is damaged or hostile; nothing was imported.'): FvmError {
  return new FvmError('BUNDLE_TOO_LARGE', `import ${file}: ${detail}`, hint);
}

function checksum(file: string, what: string): FvmError {
  return new FvmError('BUNDLE_CHECKSUM', `import ${file}: the sha256 of ${what} does not match the bundle's index`, 'The bundle was damaged in transit or on the stick; copy or export it again. Nothing was imported.');
}

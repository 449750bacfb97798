/**
 * A VM's registry state for one Wine prefix, in `registry/<id>/` (DESIGN.md §3 and §6):
 *
 *   delta-<hive>   the key-level delta over the host's hive (reg-delta-file.ts format)
 *   base-<hive>    the host hive the VM was last shown (what a harvest compares Wine's file with)
 *   stamp.json     which host and VM file versions the delta and base correspond to
 *
 * Every file is written atomically; an absent delta file is an empty delta.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import { HIVE_FILES, hiveRoot, type HiveFile } from '../../registry/key-path.js';
import { emptyHive, type RegHive } from '../../registry/reg-model.js';
import { emptyDelta, type RegDelta } from '../../registry/reg-delta.js';
import { parseDelta, serializeDelta } from '../../registry/reg-delta-file.js';
import { parseWineReg } from '../../registry/wine-reg-parser.js';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../atomic-write.js';
import { sameStamp, stampOf, type FileStamp } from '../vm-file.js';

export interface HiveStamp {
  /** The host hive file the base was copied from. */
  readonly host?: FileStamp | null;
  /** The VM's file as FVM last wrote or harvested it. */
  readonly vm?: FileStamp | null;
  /** sha256 of the delta file's text when the VM's file was last written from it. */
  readonly delta?: string;
}

export type Stamps = Partial<Record<HiveFile, HiveStamp>>;

export function isEmptyDelta(d: RegDelta): boolean {
  return d.keys.length === 0 && d.deletedKeys.length === 0 && d.deletedValues.length === 0;
}

export function textHash(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Parses a hive file's bytes; a parse error names the file. */
export function parseHive(bytes: Buffer | string, label: string): RegHive {
  return parseWineReg(bytes, { label });
}

/** The state folder of one prefix of one VM. */
export class PrefixState {
  constructor(readonly dir: string) {}

  private deltaFile(h: HiveFile): string {
    return path.join(this.dir, `delta-${h}`);
  }

  private baseFile(h: HiveFile): string {
    return path.join(this.dir, `base-${h}`);
  }

  private stampFile(): string {
    return path.join(this.dir, 'stamp.json');
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The delta's file text ('' when there is none). */
  deltaText(h: HiveFile): string {
    try {
      return fs.readFileSync(this.deltaFile(h), 'utf8');
    } catch {
      return '';
    }
  }

  /** The delta of a hive; empty (with the host's header) when none is stored. */
  readDelta(h: HiveFile, host: RegHive): RegDelta {
    const text = this.deltaText(h);
    if (!text) return emptyDelta(host.header);
    return parseDelta(text, { label: this.deltaFile(h) });
  }

  /** Stores a delta; an empty one removes the file. Returns the stored text ('' for none). */
  writeDelta(h: HiveFile, delta: RegDelta): string {
    if (isEmptyDelta(delta)) {
      fs.rmSync(this.deltaFile(h), { force: true });
      return '';
    }
    this.ensureDir();
    const text = serializeDelta(delta);
    writeFileAtomicSync(this.deltaFile(h), text, 0o600);
    return text;
  }

  /** The base hive, or null when the VM was never shown a view of this hive. */
  readBase(h: HiveFile): RegHive | null {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.baseFile(h));
    } catch {
      return null;
    }
    return parseHive(bytes, this.baseFile(h));
  }

  writeBase(h: HiveFile, bytes: Buffer | string): void {
    this.ensureDir();
    writeFileAtomicSync(this.baseFile(h), typeof bytes === 'string' ? Buffer.from(bytes) : bytes, 0o600);
  }

  readStamps(): Stamps {
    try {
      return JSON.parse(fs.readFileSync(this.stampFile(), 'utf8')) as Stamps;
    } catch {
      return {};
    }
  }

  writeStamps(s: Stamps): void {
    this.ensureDir();
    writeJsonAtomicSync(this.stampFile(), s);
  }

  /** True when some hive has a non-empty delta. */
  hasChanges(): boolean {
    return HIVE_FILES.some((h) => this.deltaText(h) !== '');
  }
}

/** The host's hive (parsed) with its bytes and stat, or an empty hive when the host has none. */
export interface HostHive {
  readonly hive: RegHive;
  readonly bytes: Buffer | null;
  readonly stat: fs.Stats | null;
}

/**
 * Parsed host hives of this process, by path, while the file is the same version. The app's
 * engine answers many registry requests in a row, and a 1.7 MB system.reg costs tens of
 * milliseconds to parse; models are immutable, so sharing them is safe.
 */
const hostCache = new Map<string, { readonly stamp: FileStamp; readonly value: HostHive }>();
const HOST_CACHE_SIZE = 6;

export function readHostHive(file: string, h: HiveFile): HostHive {
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(file);
  } catch {
    // read below, which reports the error
  }
  const cached = hostCache.get(file);
  if (st && cached && sameStamp(cached.stamp, stampOf(st))) return cached.value;
  const value = readHostHiveUncached(file, h);
  if (value.stat) {
    hostCache.delete(file);
    hostCache.set(file, { stamp: stampOf(value.stat), value });
    if (hostCache.size > HOST_CACHE_SIZE) hostCache.delete(hostCache.keys().next().value as string);
  }
  return value;
}

function readHostHiveUncached(file: string, h: HiveFile): HostHive {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { hive: emptyHive(hiveRoot(h)), bytes: null, stat: null };
    if (code === 'ELOOP') throw new FvmError('REGISTRY_PARSE', `${file} is a symlink, not a hive Wine wrote`, 'Point WINEPREFIX at the real prefix directory.');
    throw new FvmError('IO_ERROR', `cannot read ${file}: ${(err as Error).message}`, 'Check the file\'s permissions.');
  }
  try {
    const stat = fs.fstatSync(fd);
    const bytes = fs.readFileSync(fd);
    return { hive: parseHive(bytes, file), bytes, stat };
  } finally {
    fs.closeSync(fd);
  }
}

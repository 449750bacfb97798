/**
 * Writes a VM's bundle: the plan streamed through gzip into a temporary file beside the target,
 * fsync'd and renamed over it only once complete.
 *
 * Threat: a kill -9, a full stick or a pulled cable half-way through. The target name only ever
 * holds a complete bundle: the previous one stays intact and importable until the rename, and
 * a leftover temporary file of a dead exporter is removed by the next export to that name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { assertNever, FvmError } from '../../shared/errors.js';
import { fsyncDirSync } from '../atomic-write.js';
import { faultPoint } from '../commit-journal.js';
import { readProcStat } from '../proc.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  INDEX_NAME,
  MANIFEST_NAME,
  type BundleIndex,
  type BundleManifest,
  type BundleSource,
  type IndexEntry,
} from './bundle-format.js';
import type { ExportPlan, PlannedEntry } from './export-plan.js';
import { END_OF_ARCHIVE, headerBlocks, paddingFor } from './tar-blocks.js';
import type { VmConfig } from '../../shared/types.js';

const CHUNK = 1 << 20;

export interface WriteBundleInput {
  readonly file: string;
  readonly plan: ExportPlan;
  readonly source: BundleSource;
  readonly vm: { readonly name: string; readonly created: string; readonly config: VmConfig };
  /** Bytes of file data read so far, of the plan's total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface WriteBundleResult {
  readonly file: string;
  /** Size of the bundle file. */
  readonly bytes: number;
  readonly entries: number;
}

function partialName(file: string, pid: number): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${pid}.partial`);
}

/** Removes temporary files a dead exporter left for this target (kill -9, power loss). */
function removeStalePartials(file: string): void {
  const base = `.${path.basename(file)}.`;
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(base) || !n.endsWith('.partial')) continue;
    const pid = Number(n.slice(base.length, -'.partial'.length));
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && isRunning(pid))) continue;
    fs.rmSync(path.join(path.dirname(file), n), { force: true });
  }
}

/** A reused pid only keeps a stale file a little longer; it never removes a live exporter's. */
function isRunning(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.state !== 'Z';
}

function ioError(file: string, err: unknown): FvmError {
  if (err instanceof FvmError) return err;
  const e = err as NodeJS.ErrnoException;
  const hint =
    e.code === 'ENOSPC'
      ? 'The target is full: free some space or export elsewhere. The previous bundle, if any, is untouched.'
      : e.code === 'EFBIG'
        ? 'The target file system limits the size of a file (FAT32: 4 GiB): use exFAT, or a smaller VM.'
        : e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM'
          ? 'Choose a directory you can write to (a read-only or foreign stick?).'
          : 'Check the target path and the stick; the previous bundle, if any, is untouched.';
  return new FvmError('IO_ERROR', `export to ${file}: ${e.message}`, hint);
}

/** Writes the bundle atomically; returns its size. */
export async function writeBundle(input: WriteBundleInput): Promise<WriteBundleResult> {
  const file = path.resolve(input.file);
  const dir = path.dirname(file);
  let dst: fs.Stats | undefined;
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    dst = fs.statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    throw ioError(file, err);
  }
  if (dst?.isDirectory()) throw new FvmError('INVALID_ARGUMENT', `export to ${file}: that is a directory`, 'Give the bundle a file name, e.g. NAME.fvm');
  removeStalePartials(file);
  const tmp = partialName(file, process.pid);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (err) {
    throw ioError(file, err);
  }
  let closed = false;
  try {
    const state = { produced: 0 };
    const total = input.plan.bytes;
    await pipeline(Readable.from(archiveChunks(input, state)), zlib.createGzip({ level: 6, chunkSize: 1 << 20 }), fileSink(fd, () => state.produced * 2 >= total));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    closed = true;
    const bytes = fs.statSync(tmp).size;
    fs.renameSync(tmp, file);
    fsyncDirSync(dir);
    return { file, bytes, entries: input.plan.entries.length };
  } catch (err) {
    if (!closed) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw ioError(file, err);
  }
}

/** Writes to the temporary file; the export-mid fault point fires once half the data went in. */
function fileSink(fd: number, halfway: () => boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      fs.write(fd, chunk, 0, chunk.length, null, (err) => {
        if (!err && halfway()) faultPoint('export-mid');
        cb(err);
      });
    },
  });
}

async function* archiveChunks(input: WriteBundleInput, state: { produced: number }): AsyncGenerator<Buffer> {
  const { plan } = input;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    created: new Date().toISOString(),
    source: input.source,
    vm: input.vm,
    contents: { entries: plan.entries.length, bytes: plan.bytes },
  };
  const manifestData = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const now = new Date();
  yield headerBlocks({ path: MANIFEST_NAME, type: 'File', mode: 0o644, size: manifestData.length, mtime: now });
  yield manifestData;
  yield paddingFor(manifestData.length);
  const index: IndexEntry[] = [];
  let lastReport = 0;
  for (const e of plan.entries) {
    yield* entryChunks(e, index, (n) => {
      state.produced += n;
      if (input.onProgress && (state.produced - lastReport >= plan.bytes / 100 || state.produced === plan.bytes)) {
        lastReport = state.produced;
        input.onProgress(state.produced, plan.bytes);
      }
    });
  }
  const idx: BundleIndex = { formatVersion: BUNDLE_FORMAT_VERSION, manifestSha256: sha256(manifestData), entries: index };
  const indexData = Buffer.from(JSON.stringify(idx));
  yield headerBlocks({ path: INDEX_NAME, type: 'File', mode: 0o644, size: indexData.length, mtime: now });
  yield indexData;
  yield paddingFor(indexData.length);
  yield END_OF_ARCHIVE;
  input.onProgress?.(plan.bytes, plan.bytes);
}

async function* entryChunks(e: PlannedEntry, index: IndexEntry[], produced: (n: number) => void): AsyncGenerator<Buffer> {
  switch (e.kind) {
    case 'dir':
      index.push(e.mirrorsHost ? { path: e.name, type: 'dir', mode: e.mode, size: 0, mirrorsHost: true } : { path: e.name, type: 'dir', mode: e.mode, size: 0 });
      yield headerBlocks({ path: e.name, type: 'Directory', mode: e.mode, size: 0, mtime: e.mtime });
      return;
    case 'symlink':
      index.push({ path: e.name, type: 'symlink', mode: 0o777, size: 0, target: e.target });
      yield headerBlocks({ path: e.name, type: 'SymbolicLink', mode: 0o777, size: 0, mtime: e.mtime, linkpath: e.target });
      return;
    case 'data':
      index.push({ path: e.name, type: 'file', mode: 0o644, size: e.data.length, sha256: sha256(e.data) });
      yield headerBlocks({ path: e.name, type: 'File', mode: 0o644, size: e.data.length, mtime: new Date() });
      yield e.data;
      yield paddingFor(e.data.length);
      produced(e.data.length);
      return;
    case 'file': {
      yield headerBlocks({ path: e.name, type: 'File', mode: e.mode, size: e.size, mtime: e.mtime });
      const hash = crypto.createHash('sha256');
      const fh = await fs.promises.open(e.source, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        let left = e.size;
        while (left > 0) {
          const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
          hash.update(chunk);
          left -= bytesRead;
          produced(bytesRead);
          yield chunk;
        }
        if (left !== 0 || (await fh.read(Buffer.alloc(1), 0, 1, null)).bytesRead !== 0) {
          throw new FvmError('IO_ERROR', `export: ${e.source} changed size while it was read`, 'Make sure nothing writes into the VM\'s store during an export, then export again.');
        }
      } finally {
        await fh.close();
      }
      index.push({ path: e.name, type: 'file', mode: e.mode, size: e.size, sha256: hash.digest('hex') });
      yield paddingFor(e.size);
      return;
    }
    default:
      assertNever(e, 'planned entry');
  }
}

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

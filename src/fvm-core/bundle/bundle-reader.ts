/**
 * Reads a bundle into a staging directory and verifies all of it before anyone uses it.
 *
 * Threat: the bundle is hostile (a stick from anywhere). It may name paths outside the VM, put
 * a symlink or a hard link in the way of a later entry, carry device files, repeat an entry,
 * end early, lie about checksums, or declare (or decompress to) more than the disk holds.
 * This module owns the stream: it decompresses (itself, to cap the output: a decompression
 * bomb stops at what the manifest declares), hands each entry to the stager (bundle-stager.ts,
 * which checks and writes it), and stops at the first error. The caller removes the staging
 * directory when this throws.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { FvmError } from '../../shared/errors.js';
import { corrupt } from './bundle-format.js';
import { BundleStager, type ReadBundleResult, type StagerOptions } from './bundle-stager.js';

export interface ReadBundleOptions extends StagerOptions {
  /** Compressed bytes read so far, of the file's size. */
  readonly onProgress?: (done: number, total: number) => void;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Reads and verifies `file`; throws a BUNDLE_* error (or IO_ERROR) on anything wrong. */
export function readBundle(file: string, opts: ReadBundleOptions): Promise<ReadBundleResult> {
  return new BundleReader(file, opts).run();
}

class BundleReader {
  private readonly stager: BundleStager;
  private decompressed = 0;

  constructor(
    private readonly file: string,
    private readonly opts: ReadBundleOptions,
  ) {
    this.stager = new BundleStager(file, opts);
  }

  run(): Promise<ReadBundleResult> {
    let total = 0;
    try {
      const st = fs.statSync(this.file);
      if (!st.isFile()) throw corrupt(this.file, 'not a regular file');
      total = st.size;
    } catch (err) {
      if (err instanceof FvmError) return Promise.reject(err);
      return Promise.reject(new FvmError('IO_ERROR', `import ${this.file}: ${(err as Error).message}`, 'Check the path of the bundle (and that the stick is mounted).'));
    }
    return new Promise<ReadBundleResult>((resolve, reject) => {
      const src = fs.createReadStream(this.file, { highWaterMark: 1 << 20 });
      const gunzip = zlib.createGunzip({ chunkSize: 1 << 18 });
      // Decompression is ours (to cap it); the parser must never sniff and unpack a nested archive.
      const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: 1 << 20 });
      const fail = (err: unknown) => {
        if (this.stager.failed) return;
        this.stager.failed = err;
        src.destroy();
        gunzip.destroy();
        reject(err);
      };
      const guard = (fn: () => void) => () => {
        try {
          fn();
        } catch (err) {
          fail(err);
        }
      };
      let read = 0;
      src.on('error', (err) => fail(new FvmError('IO_ERROR', `import ${this.file}: ${err.message}`, 'Check the stick and the path of the bundle.')));
      src.on('data', (c) => {
        read += c.length;
        this.opts.onProgress?.(read, total);
      });
      gunzip.on('error', (err: NodeJS.ErrnoException) => fail(this.gzipError(err)));
      let first = true;
      gunzip.on('data', (c: Buffer) =>
        guard(() => {
          if (this.stager.failed) return;
          if (first && c.length >= 2 && c[0] === GZIP_MAGIC[0] && c[1] === GZIP_MAGIC[1]) throw corrupt(this.file, 'holds a nested compressed archive');
          first = false;
          this.decompressed += c.length;
          const more = parser.write(c);
          // Checked after the parser saw this chunk: a header in it has raised the allowance by then.
          if (!this.stager.failed && this.decompressed > this.stager.allowance()) {
            throw new FvmError('BUNDLE_TOO_LARGE', `import ${this.file}: decompresses to more than its manifest declares (${this.stager.allowance()} bytes)`, 'The bundle is damaged or hostile (a decompression bomb); nothing was imported.');
          }
          if (!more) {
            gunzip.pause();
            parser.once('drain', () => gunzip.resume());
          }
        })(),
      );
      gunzip.on('end', () => parser.end());
      parser.on('error', (err: Error & { tarCode?: string }) => fail(err instanceof FvmError ? err : corrupt(this.file, `${/Truncated/.test(err.message) ? 'truncated: ' : ''}${err.message}`)));
      parser.on('ignoredEntry', (e: ReadEntry) => fail(corrupt(this.file, `unsupported entry ${JSON.stringify(String(e.path).slice(0, 300))} of type ${e.type}`)));
      parser.on('entry', (e: ReadEntry) =>
        guard(() => {
          if (this.stager.failed) {
            e.resume();
            return;
          }
          this.stager.onEntry(e, fail);
        })(),
      );
      parser.on('end', guard(() => {
        if (this.stager.failed) return;
        resolve(this.stager.verify());
      }));
      src.pipe(gunzip);
    });
  }

  private gzipError(err: NodeJS.ErrnoException): FvmError {
    if (/incorrect data check|incorrect length check/.test(err.message)) {
      return new FvmError('BUNDLE_CHECKSUM', `import ${this.file}: the compressed data fails its checksum (${err.message})`, 'The bundle was damaged in transit or on the stick; copy or export it again.');
    }
    if (/unexpected end of file/.test(err.message)) return corrupt(this.file, 'truncated: the compressed stream ends early');
    return corrupt(this.file, `not a gzip-compressed bundle (${err.message})`);
  }
}

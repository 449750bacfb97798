import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/**
 * Writes a file atomically: temp file in the same directory, fsync, rename, fsync of the dir.
 *
 * A reader (or a crash) sees either the old content or the new one, never a torn file.
 */
export function writeFileAtomicSync(file: string, data: string | Buffer, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(dir);
}

export function writeJsonAtomicSync(file: string, value: unknown): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems (FAT through some drivers) refuse fsync on a directory; the rename stands.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

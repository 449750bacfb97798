/**
 * Moving and copying trees that may hold overlay markers (whiteouts, opaque xattrs) without
 * ever following a symlink, and removing trees whose directories the kernel left mode 000.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isWhiteoutStat } from '../redirect/host-view.js';
import { findOpaqueDirs, setOpaque } from '../redirect/xattr.js';

/**
 * lstat of `p`, or null where there is nothing (or it cannot be looked at). A missing path does
 * not throw: on the walks of the diff and the commit, a thrown error (and its stack) costs more
 * than the lstat itself.
 */
export function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // EACCES, ENOTDIR: nothing this process can see
  }
}

/** Whether anything (a dangling symlink included) exists at `p`, never following a symlink. */
export function existsNoFollow(p: string): boolean {
  return lstatOrNull(p) !== null;
}

/** Creates an overlay whiteout. A plain user may: whiteouts are exempt from CAP_MKNOD (5.8+). */
export function makeWhiteout(p: string): void {
  execFileSync('/usr/bin/mknod', ['--', p, 'c', '0', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes every directory below `dir` writable and searchable for its owner (workdirs are 000). */
export function openUpTreeSync(dir: string): void {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if ((st.mode & 0o700) !== 0o700) {
      try {
        fs.chmodSync(d, (st.mode & 0o7777) | 0o700);
      } catch {
        continue;
      }
    }
    let names: fs.Dirent[] = [];
    try {
      names = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of names) if (e.isDirectory()) stack.push(path.join(d, e.name));
  }
}

export function removeTreeSync(dir: string): void {
  if (!fs.existsSync(dir)) return;
  openUpTreeSync(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies one entry (recursively for directories), preserving markers, modes, times, owners (as root). */
export function copyEntrySync(src: string, dst: string, opaque: ReadonlySet<string> = new Set(), onFile?: () => void): void {
  const asRoot = process.getuid?.() === 0;
  const st = fs.lstatSync(src);
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
    if (asRoot) fs.lchownSync(dst, st.uid, st.gid);
  } else if (isWhiteoutStat(st)) {
    makeWhiteout(dst);
  } else if (st.isFile()) {
    fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    fs.chmodSync(dst, st.mode & 0o7777);
    if (asRoot) fs.chownSync(dst, st.uid, st.gid);
    fs.utimesSync(dst, st.atime, st.mtime);
    onFile?.();
  } else if (st.isDirectory()) {
    fs.mkdirSync(dst, { mode: 0o700 });
    for (const name of fs.readdirSync(src)) copyEntrySync(path.join(src, name), path.join(dst, name), opaque, onFile);
    if (opaque.has(src)) setOpaque(dst, true);
    fs.chmodSync(dst, st.mode & 0o7777);
    if (asRoot) fs.chownSync(dst, st.uid, st.gid);
    fs.utimesSync(dst, st.atime, st.mtime);
  } else {
    // FIFOs and sockets carry no data; a real device cannot be in an unprivileged upper tree.
    if (st.isFIFO()) execFileSync('/usr/bin/mkfifo', ['-m', (st.mode & 0o7777).toString(8), '--', dst]);
  }
}

/** rename(2) when source and target share a file system, else copy and remove. */
export function moveEntrySync(src: string, dst: string): void {
  try {
    fs.renameSync(src, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const opaque = fs.lstatSync(src).isDirectory() ? allOpaqueDirs(src) : new Set<string>();
    copyEntrySync(src, dst, opaque);
    removeTreeSync(src);
  }
}

function allOpaqueDirs(root: string): Set<string> {
  const dirs: string[] = [];
  const stack = [root];
  while (stack.length) {
    const d = stack.pop() as string;
    dirs.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) stack.push(path.join(d, e.name));
  }
  return findOpaqueDirs(dirs);
}

import path from 'node:path';
import { FvmError } from '../shared/errors.js';

/**
 * The FVM renaming: host path `/home/u/X` is stored in VM1 as `<vm>/fs/home/u/X`.
 *
 * Upper paths are nested (not flattened) on purpose: the upper of `/home/u` is the same directory
 * whether `/home` or `/home/u` is the overlay root, so a launch with a different mount layout
 * still sees every earlier change (launcher.md §1.2).
 */
export function upperPathOf(fsDir: string, hostPath: string): string {
  return hostPath === '/' ? fsDir : path.join(fsDir, hostPath);
}

export function hostPathOf(fsDir: string, upperPath: string): string {
  const rel = path.relative(fsDir, upperPath);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new FvmError('INTERNAL', `path ${upperPath} is not inside the VM tree ${fsDir}`);
  }
  return rel === '' ? '/' : `/${rel}`;
}

/** Normalises a user-given host path: absolute, no `..` escapes, no trailing slash, `~` expanded. */
export function normalizeHostPath(p: string, home: string, cwd = process.cwd()): string {
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
    throw new FvmError('INVALID_ARGUMENT', `invalid path ${JSON.stringify(p)}`, 'Give an absolute path or one relative to the current directory.');
  }
  let q = p;
  if (q === '~') q = home;
  else if (q.startsWith('~/')) q = path.join(home, q.slice(2));
  return path.resolve(cwd, q);
}

/** True when `p` is `dir` itself or lies below it. */
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || p.startsWith(`${dir}/`);
}

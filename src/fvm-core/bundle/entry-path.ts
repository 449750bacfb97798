/**
 * Which part of a bundle an archive entry belongs to, judged from its name alone.
 *
 * Threat: a hostile bundle names `../../.bashrc`, `/etc/passwd` or `tree/a/../../x` to make an
 * extractor write outside the VM. Every name is checked here before anything touches the disk;
 * the extractor then only ever joins a checked relative path below a directory it created.
 */
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import { DELETION_LOG_NAME, INDEX_NAME, LIMITS, MANIFEST_NAME, REGISTRY_DIR, TREE_DIR, corrupt } from './bundle-format.js';

export type EntrySection = 'manifest' | 'index' | 'deletion-log' | 'tree' | 'registry';

export interface EntryName {
  readonly section: EntrySection;
  /** The name without a directory's trailing slash, as the index lists it. */
  readonly name: string;
  /** Below `tree/` or `registry/`: the relative path inside that part ('' for the part itself). */
  readonly rel: string;
}

export function unsafePath(file: string, name: string, why: string): FvmError {
  return new FvmError(
    'BUNDLE_UNSAFE_PATH',
    `import ${file}: entry ${JSON.stringify(name.slice(0, 300))} ${why}`,
    'The bundle tries to write outside the VM; it was not made by `fvm export`. Nothing was imported.',
  );
}

/** Classifies an entry name, refusing absolute names, `..`, `.` and empty components. */
export function classifyEntryName(raw: string, isDir: boolean, file: string): EntryName {
  if (raw.includes('\0')) throw unsafePath(file, raw, 'contains a NUL byte');
  if (Buffer.byteLength(raw) > LIMITS.pathBytes) throw unsafePath(file, raw, `is longer than ${LIMITS.pathBytes} bytes`);
  if (raw.startsWith('/')) throw unsafePath(file, raw, 'is an absolute path');
  const name = isDir && raw.endsWith('/') ? raw.slice(0, -1) : raw;
  const parts = name.split('/');
  for (const part of parts) {
    if (part === '..') throw unsafePath(file, raw, 'climbs out with ..');
    if (part === '' || part === '.') throw unsafePath(file, raw, 'has an empty or . component');
    if (Buffer.byteLength(part) > LIMITS.nameBytes) throw unsafePath(file, raw, `has a component longer than ${LIMITS.nameBytes} bytes`);
  }
  if (name === MANIFEST_NAME) return { section: 'manifest', name, rel: '' };
  if (name === INDEX_NAME) return { section: 'index', name, rel: '' };
  if (name === DELETION_LOG_NAME) return { section: 'deletion-log', name, rel: '' };
  if (parts[0] === TREE_DIR) return { section: 'tree', name, rel: parts.slice(1).join('/') };
  if (parts[0] === REGISTRY_DIR) return { section: 'registry', name, rel: parts.slice(1).join('/') };
  throw corrupt(file, `unexpected entry ${JSON.stringify(name.slice(0, 300))}`);
}

/**
 * Whether a symlink found at `hostPath` (in the VM's view) may point at `target`.
 *
 * An absolute target is a host path in the VM's view and resolves inside the VM's mounts, never
 * against the store; a relative one must not climb above `/`, since on the store it would
 * climb out of the VM's tree.
 */
export function isSafeLinkTarget(hostPath: string, target: string): boolean {
  if (target.length === 0 || target.includes('\0') || Buffer.byteLength(target) > LIMITS.pathBytes) return false;
  if (target.startsWith('/')) return true;
  let depth = hostPath.split('/').filter(Boolean).length - 1;
  for (const part of target.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return false;
  }
  return true;
}

/** The host path of a `tree/` entry: `tree/home/u/x` → `/home/u/x`. */
export function hostPathOfTreeRel(rel: string): string {
  return rel === '' ? '/' : path.posix.join('/', rel);
}

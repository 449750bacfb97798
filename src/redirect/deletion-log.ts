/**
 * The portable deletion log: the VM's deletions written as data, one JSON object per line.
 *
 * Whiteouts (char devices 0:0) and opaque xattrs do not survive FAT, exFAT, tar without xattrs
 * or a copy by a careless tool; this log does, and an upper tree's markers can be rebuilt from it.
 *   {"kind":"whiteout","path":"/home/u/notes.txt"}   the VM deleted that host path
 *   {"kind":"opaque","path":"/home/u/cache"}         the VM replaced that directory wholesale
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { upperPathOf } from './host-path.js';
import { setOpaque } from './xattr.js';

export interface DeletionEntry {
  readonly kind: 'whiteout' | 'opaque';
  readonly path: string;
}

export const DELETION_LOG_HEADER = '# fvm deletion log v1';

export function serializeDeletionLog(entries: readonly DeletionEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind.localeCompare(b.kind)));
  return `${[DELETION_LOG_HEADER, ...sorted.map((e) => JSON.stringify({ kind: e.kind, path: e.path }))].join('\n')}\n`;
}

function isSafeHostPath(p: unknown): p is string {
  return typeof p === 'string' && p.startsWith('/') && p.length > 1 && !p.includes('\0') && path.posix.normalize(p) === p && !p.endsWith('/');
}

/** Parses a deletion log; anything malformed is an error with its line number. */
export function parseDeletionLog(text: string, source = 'deletion log'): DeletionEntry[] {
  const lines = text.split('\n');
  if (lines[0] !== DELETION_LOG_HEADER) {
    throw new FvmError('INVALID_ARGUMENT', `${source}: line 1: not an FVM deletion log`, `The first line must be '${DELETION_LOG_HEADER}'.`);
  }
  const out: DeletionEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new FvmError('INVALID_ARGUMENT', `${source}: line ${i + 1}: not JSON`, 'Each line is {"kind":"whiteout"|"opaque","path":"/absolute/path"}.');
    }
    const e = v as { kind?: unknown; path?: unknown };
    if ((e.kind !== 'whiteout' && e.kind !== 'opaque') || !isSafeHostPath(e.path)) {
      throw new FvmError('INVALID_ARGUMENT', `${source}: line ${i + 1}: bad entry ${line.slice(0, 200)}`, 'Paths must be absolute and normalised (no `..`), kinds whiteout or opaque.');
    }
    out.push({ kind: e.kind, path: e.path });
  }
  return out;
}

/** The log of an upper tree, from the diff walker's entries. */
export function deletionLogOf(entries: ReadonlyArray<{ readonly host: string; readonly kind: string; readonly opaque: boolean }>): DeletionEntry[] {
  const out: DeletionEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'whiteout') out.push({ kind: 'whiteout', path: e.host });
    else if (e.opaque) out.push({ kind: 'opaque', path: e.host });
  }
  return out;
}

/**
 * Rebuilds the markers of a log in an upper tree (after an import from a file system that
 * could not hold them). `makeWhiteout` creates a char 0:0 device at a path.
 */
export function applyDeletionLog(fsDir: string, entries: readonly DeletionEntry[], makeWhiteout: (p: string) => void): void {
  for (const e of entries) {
    const up = upperPathOf(fsDir, e.path);
    if (e.kind === 'opaque') {
      fs.mkdirSync(up, { recursive: true });
      setOpaque(up, true);
      continue;
    }
    fs.mkdirSync(path.dirname(up), { recursive: true });
    if (fs.lstatSync(up, { throwIfNoEntry: false })) continue; // the VM put something there since
    makeWhiteout(up);
  }
}

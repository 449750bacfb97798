/**
 * The Wine prefixes a VM's registry follows, recorded in `registry/prefixes.json`.
 *
 * A prefix is named by its host path; each gets a short id that names its folder under
 * `registry/` (a path would make an awkward, unbounded file name). The list only grows: ~/.wine
 * when the VM is created or first runs Wine, a WINEPREFIX given to a run, and any prefix a
 * wineserver in the VM was seen serving (prefixes made inside the VM among them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import { HIVE_FILES, type HiveFile } from '../../registry/key-path.js';
import type { VmPaths } from '../repository.js';
import { writeJsonAtomicSync } from '../atomic-write.js';

export interface PrefixRecord {
  /** Folder name under registry/: `p1`, `p2` … never reused. */
  readonly id: string;
  /** Absolute host path of the prefix. */
  readonly path: string;
}

interface PrefixFile {
  readonly version: 1;
  readonly next: number;
  readonly prefixes: readonly PrefixRecord[];
}

const EMPTY: PrefixFile = { version: 1, next: 1, prefixes: [] };

function listFile(p: VmPaths): string {
  return path.join(p.registry, 'prefixes.json');
}

function readFile(p: VmPaths): PrefixFile {
  let text: string;
  try {
    text = fs.readFileSync(listFile(p), 'utf8');
  } catch {
    return EMPTY;
  }
  try {
    const v = JSON.parse(text) as PrefixFile;
    if (v.version === 1 && Array.isArray(v.prefixes) && v.prefixes.every((r) => /^p[0-9]+$/.test(r.id) && path.isAbsolute(r.path))) return v;
  } catch {
    // fall through
  }
  throw new FvmError('REPOSITORY_CORRUPT', `${listFile(p)} is not a prefix list FVM wrote`, 'Restore it from a backup, or delete it: the VM then follows ~/.wine again and forgets the other prefixes.');
}

/** The prefixes recorded for the VM. */
export function loadPrefixes(p: VmPaths): PrefixRecord[] {
  return [...readFile(p).prefixes];
}

/** The record of a prefix, added (and saved atomically) if it is new. */
export function ensurePrefix(p: VmPaths, prefixPath: string): PrefixRecord {
  const clean = path.resolve(prefixPath);
  const f = readFile(p);
  const found = f.prefixes.find((r) => r.path === clean);
  if (found) return found;
  const rec = { id: `p${f.next}`, path: clean };
  fs.mkdirSync(p.registry, { recursive: true, mode: 0o700 });
  writeJsonAtomicSync(listFile(p), { version: 1, next: f.next + 1, prefixes: [...f.prefixes, rec] });
  return rec;
}

/** The record of a prefix, or undefined when the VM has never followed it. */
export function findPrefix(p: VmPaths, prefixPath: string): PrefixRecord | undefined {
  const clean = path.resolve(prefixPath);
  return readFile(p).prefixes.find((r) => r.path === clean);
}

/** Where the VM keeps its state of one prefix. */
export function prefixStateDir(p: VmPaths, rec: PrefixRecord): string {
  return path.join(p.registry, rec.id);
}

/** Host paths of a prefix's hive files. */
export function hivePaths(prefixPath: string): Record<HiveFile, string> {
  return Object.fromEntries(HIVE_FILES.map((h) => [h, path.join(prefixPath, h)])) as Record<HiveFile, string>;
}

/**
 * True for the hive files of recorded prefixes that the host has: their changes are registry
 * changes, merged key by key. A prefix the VM made itself has no host hives; its files are
 * ordinary new files.
 */
export function hostHiveMatcher(prefixes: readonly PrefixRecord[]): (hostPath: string) => boolean {
  const set = new Set(prefixes.flatMap((r) => HIVE_FILES.map((h) => path.join(r.path, h))).filter((f) => fs.existsSync(f)));
  return (hostPath) => set.has(hostPath);
}

/**
 * After an import to another $HOME or machine: prefix paths move like the VM's files, and the
 * stamps (inode numbers of another file system) are dropped, so the next run harvests the VM's
 * hives against their stored bases and writes its view afresh.
 */
export function relocatePrefixes(registryDir: string, relocate: (hostPath: string) => string): void {
  const file = path.join(registryDir, 'prefixes.json');
  let list: PrefixFile;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8')) as PrefixFile;
  } catch {
    return;
  }
  if (!Array.isArray(list.prefixes)) return;
  writeJsonAtomicSync(file, { ...list, prefixes: list.prefixes.map((r) => ({ id: r.id, path: relocate(r.path) })) });
  for (const r of list.prefixes) fs.rmSync(path.join(registryDir, r.id, 'stamp.json'), { force: true });
}

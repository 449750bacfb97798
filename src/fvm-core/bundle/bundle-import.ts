/**
 * Imports a bundle as a new VM: staged in a temporary directory inside the repository, verified
 * whole, relocated to the importing user's $HOME, its deletions rebuilt as overlay markers,
 * then renamed into vms/<id>/ with the manifest written last.
 *
 * A crash or an error at any point leaves no VM behind: a staging directory has no vm.json (so
 * `list` never shows it) and the next import removes those of dead importers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImportResult } from '../../shared/contract.js';
import { FvmError } from '../../shared/errors.js';
import type { VmInfo } from '../../shared/types.js';
import { assertVmName } from '../../shared/names.js';
import { serializeDeletionLog, type DeletionEntry } from '../../redirect/deletion-log.js';
import { upperPathOf } from '../../redirect/host-path.js';
import { mirrorMode } from '../../redirect/mount-plan.js';
import { setOpaque } from '../../redirect/xattr.js';
import { computeExtraRoots } from '../extra-roots.js';
import { readProcStat } from '../proc.js';
import { REPO_FORMAT, type Repository, type VmManifest } from '../repository.js';
import { makeWhiteout, removeTreeSync } from '../tree-ops.js';
import type { BundleManifest } from './bundle-format.js';
import { readBundle } from './bundle-reader.js';
import type { StagedDir } from './bundle-stager.js';
import { unsafePath } from './entry-path.js';
import { relocatePrefixes } from '../registry/wine-prefixes.js';
import { isRelocated, relocatePath, relocationFor, type Relocation, type RelocationReport } from './relocation.js';

export interface ImportBundleInput {
  readonly repo: Repository;
  readonly file: string;
  /** The new VM's name; the bundle's VM name when absent. */
  readonly name?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportBundleOutput {
  readonly vm: VmManifest;
  readonly bundle: BundleManifest;
  readonly relocation: RelocationReport | null;
  readonly entries: number;
  readonly bytes: number;
}

interface DirMode {
  mode: number;
  mtime: Date | undefined;
}

let stagingCounter = 0;

function stagingRoot(repo: Repository): string {
  return path.join(repo.home, 'import');
}

/** Staging directories of importers that died (kill -9, power loss) are only garbage. */
function removeStaleStaging(repo: Repository): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(stagingRoot(repo));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(n.split('.')[0]);
    const st = Number.isInteger(pid) && pid > 0 ? readProcStat(pid) : null;
    if (pid === process.pid || (st && st.state !== 'Z')) continue;
    removeTreeSync(path.join(stagingRoot(repo), n));
  }
}

export async function importBundle(input: ImportBundleInput): Promise<ImportBundleOutput> {
  const { repo } = input;
  const file = path.resolve(input.file);
  let name = input.name === undefined ? undefined : assertVmName(input.name);
  if (name) repo.assertNameFree(name);
  removeStaleStaging(repo);
  fs.mkdirSync(stagingRoot(repo), { recursive: true, mode: 0o700 });
  const staging = path.join(stagingRoot(repo), `${process.pid}.${Date.now()}.${++stagingCounter}`);
  fs.mkdirSync(staging, { mode: 0o700 });
  const fsDir = path.join(staging, 'fs');
  const registryDir = path.join(staging, 'registry');
  fs.mkdirSync(fsDir, { mode: 0o755 });
  fs.mkdirSync(registryDir, { mode: 0o700 });
  try {
    const read = await readBundle(file, {
      fsDir,
      registryDir,
      onProgress: input.onProgress,
      onManifest: (m) => {
        // Refuse a taken name before reading gigabytes.
        if (!name) {
          name = m.vm.name;
          repo.assertNameFree(name);
        }
      },
    });
    const home = os.homedir();
    const r = relocationFor(read.manifest.source.home, home);
    const dirs = new Map<string, DirMode>();
    for (const d of read.treeDirs) dirs.set(relocatePath(r, d.path), { mode: d.mirrorsHost ? hostMirrorMode(relocatePath(r, d.path)) ?? d.mode : d.mode, mtime: d.mtime });
    if (r) moveHome(file, fsDir, r, dirs);
    const deletions = read.deletions.map((d): DeletionEntry => ({ kind: d.kind, path: relocatePath(r, d.path) }));
    applyDeletions(file, fsDir, deletions, dirs);
    const symlinks = r ? relocateSymlinks(fsDir, r, read.symlinks) : 0;
    finishDirs((h) => upperPathOf(fsDir, h), dirs);
    finishDirs((rel) => path.join(registryDir, rel), new Map(read.registryDirs.map((d: StagedDir) => [d.path, { mode: d.mode, mtime: d.mtime }])));
    relocatePrefixes(registryDir, (h) => relocatePath(r, h));
    fs.writeFileSync(path.join(staging, 'deleted.log'), serializeDeletionLog(deletions), { mode: 0o644 });
    for (const d of ['work', 'mnt', 'run', 'commits']) fs.mkdirSync(path.join(staging, d), { mode: 0o700 });

    const config = read.manifest.vm.config;
    const rules = config.rules.map((x) => ({ mode: x.mode, path: relocatePath(r, x.path) }));
    const uid = process.getuid?.() ?? 0;
    const vmName = name as string;
    const vm = repo.withRepoLock('import', () => {
      repo.assertNameFree(vmName);
      const id = repo.allocateId();
      const p = repo.paths(id);
      fs.renameSync(staging, p.dir);
      const m: VmManifest = {
        formatVersion: REPO_FORMAT,
        id,
        name: vmName,
        created: new Date().toISOString(),
        config: { ...config, rules },
        extraRoots: computeExtraRoots(uid, process.getgroups?.() ?? [], home),
        owner: { uid, home },
      };
      try {
        repo.writeManifest(m);
      } catch (err) {
        removeTreeSync(p.dir);
        throw err;
      }
      return m;
    });
    const relocation: RelocationReport | null = r
      ? {
          from: r.from,
          to: r.to,
          paths: read.treePaths.filter((p) => isRelocated(r, p)).length,
          deletions: read.deletions.filter((d) => isRelocated(r, d.path)).length,
          symlinks,
          rules: config.rules.filter((x) => isRelocated(r, x.path)).length,
        }
      : null;
    return { vm, bundle: read.manifest, relocation, entries: read.entries, bytes: read.bytes };
  } finally {
    // After a successful rename the staging path is gone; otherwise nothing of it may remain.
    removeTreeSync(staging);
  }
}

/** The mode the overlay would give this host dir's upper copy here, or null when it does not exist. */
function hostMirrorMode(hostPath: string): number | null {
  try {
    const st = fs.lstatSync(hostPath);
    if (!st.isDirectory()) return null;
    const uid = process.getuid?.() ?? 0;
    return mirrorMode({ type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, enterable: true }, uid, uid === 0);
  } catch {
    return null;
  }
}

/**
 * Makes sure `hostDir` is a real directory in the staged tree, creating what is missing (with
 * the host's mirrored modes, as the launcher would); never goes through a symlink or a file.
 */
function ensureRealDir(file: string, fsDir: string, hostDir: string, dirs: Map<string, DirMode>): void {
  let cur = '/';
  for (const part of hostDir.split('/').filter(Boolean)) {
    cur = cur === '/' ? `/${part}` : `${cur}/${part}`;
    const up = upperPathOf(fsDir, cur);
    const st = fs.lstatSync(up, { throwIfNoEntry: false });
    if (!st) {
      fs.mkdirSync(up, { mode: 0o700 });
      dirs.set(cur, { mode: hostMirrorMode(cur) ?? 0o755, mtime: undefined });
    } else if (!st.isDirectory()) {
      throw unsafePath(file, cur, `is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}, but the bundle needs a directory there`);
    }
  }
}

/** Moves the tree under the old home to the new one (a rename of one subtree). */
function moveHome(file: string, fsDir: string, r: Relocation, dirs: Map<string, DirMode>): void {
  const src = upperPathOf(fsDir, r.from);
  if (!fs.lstatSync(src, { throwIfNoEntry: false })) return;
  const parked = path.join(path.dirname(fsDir), 'relocating');
  fs.renameSync(src, parked);
  ensureRealDir(file, fsDir, path.posix.dirname(r.to), dirs);
  const dst = upperPathOf(fsDir, r.to);
  const there = fs.lstatSync(dst, { throwIfNoEntry: false });
  if (there) {
    if (!there.isDirectory() || fs.readdirSync(dst).length > 0) {
      throw new FvmError(
        'INVALID_ARGUMENT',
        `import ${file}: the VM changed both ${r.from} (the exporting user's home) and ${r.to} (yours); relocating would mix them`,
        'Import it as a user whose home the VM did not touch, or with the same $HOME as the exporting user.',
      );
    }
    fs.rmdirSync(dst);
  }
  fs.renameSync(parked, dst);
  // The old home's parents were only in the tree to hold it: drop those left empty.
  for (let d = path.posix.dirname(r.from); d !== '/'; d = path.posix.dirname(d)) {
    const up = upperPathOf(fsDir, d);
    if (!dirs.has(d) || fs.readdirSync(up).length > 0) break;
    fs.rmdirSync(up);
    dirs.delete(d);
  }
}

/**
 * Rebuilds whiteouts and opaque markers from the (relocated) log. Unlike applyDeletionLog, every
 * parent is checked to be a real directory: a hostile log must not mknod through a symlink.
 */
function applyDeletions(file: string, fsDir: string, deletions: readonly DeletionEntry[], dirs: Map<string, DirMode>): void {
  for (const d of deletions) {
    const up = upperPathOf(fsDir, d.path);
    if (d.kind === 'opaque') {
      ensureRealDir(file, fsDir, d.path, dirs);
      setOpaque(up, true);
      continue;
    }
    ensureRealDir(file, fsDir, path.posix.dirname(d.path), dirs);
    if (fs.lstatSync(up, { throwIfNoEntry: false })) continue; // the VM put something there since
    makeWhiteout(up);
  }
}

/** Absolute symlink targets under the old home now point under the new one. */
function relocateSymlinks(fsDir: string, r: Relocation, symlinks: readonly string[]): number {
  let n = 0;
  for (const host of symlinks) {
    const up = upperPathOf(fsDir, relocatePath(r, host));
    const target = fs.readlinkSync(up);
    if (!target.startsWith('/') || !isRelocated(r, target)) continue;
    fs.unlinkSync(up);
    fs.symlinkSync(relocatePath(r, target), up);
    n++;
  }
  return n;
}

/** Gives directories their final modes and times, deepest first (a 0555 dir is filled before). */
function finishDirs(where: (p: string) => string, dirs: ReadonlyMap<string, DirMode>): void {
  const list = [...dirs].sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [p, d] of list) {
    const up = where(p);
    const st = fs.lstatSync(up, { throwIfNoEntry: false });
    if (!st?.isDirectory()) continue;
    fs.chmodSync(up, d.mode);
    if (d.mtime) fs.utimesSync(up, d.mtime, d.mtime);
  }
}

/** The contract's answer for an import, from what importBundle did. */
export function importResultOf(out: ImportBundleOutput, vm: VmInfo, file: string): ImportResult {
  const s = out.bundle.source;
  return {
    vm,
    file: path.resolve(file),
    source: { user: s.user, uid: s.uid, home: s.home, hostname: s.hostname, kernel: s.kernel, distribution: s.distribution, exported: out.bundle.created },
    relocation: out.relocation,
    entries: out.entries,
    bytes: out.bytes,
  };
}

/**
 * The repository on disk (FVMRep): repo.json, and one directory per VM under vms/<id>/.
 *
 * A VM id is allocated from a counter in repo.json and never reused, so a stale reference to a
 * deleted VM can never reach a new one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { assertVmName } from '../shared/names.js';
import type { VmConfig } from '../shared/types.js';
import { writeJsonAtomicSync } from './atomic-write.js';
import { acquireLock } from './lock.js';

export const REPO_FORMAT = 1;

export interface VmManifest {
  readonly formatVersion: number;
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly config: VmConfig;
  /** Directories that must be overlay roots of their own (unprivileged copy-up limits). */
  readonly extraRoots: readonly string[];
  /** Who created the VM: $HOME and uid, for relocation and diagnostics. */
  readonly owner: { readonly uid: number; readonly home: string };
  /**
   * Shared read-only layers below the VM's own upper tree, nearest first (from `copy`: the
   * source's tree is frozen into a layer that both VMs stack, so a copy costs O(1)).
   */
  readonly layers?: readonly string[];
}

export interface VmPaths {
  readonly dir: string;
  readonly manifest: string;
  readonly fs: string;
  readonly work: string;
  readonly mnt: string;
  readonly run: string;
  readonly commits: string;
  readonly baseline: string;
  readonly deletedLog: string;
  readonly registry: string;
  readonly lock: string;
}

export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FVM_HOME) return path.resolve(env.FVM_HOME);
  const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local/share');
  return path.join(data, 'fvm');
}

export function layerFsDir(home: string, layerId: string): string {
  return path.join(home, 'layers', layerId, 'fs');
}

/** The upper trees of a VM, top first: its own, then its layers'. */
export function sourceDirs(p: VmPaths): string[] {
  let layers: readonly string[] = [];
  try {
    layers = (JSON.parse(fs.readFileSync(p.manifest, 'utf8')) as VmManifest).layers ?? [];
  } catch {
    layers = [];
  }
  const home = path.resolve(p.dir, '../..');
  return [p.fs, ...layers.map((l) => layerFsDir(home, l))];
}

export function vmPaths(home: string, id: string): VmPaths {
  const dir = path.join(home, 'vms', id);
  return {
    dir,
    manifest: path.join(dir, 'vm.json'),
    fs: path.join(dir, 'fs'),
    work: path.join(dir, 'work'),
    mnt: path.join(dir, 'mnt'),
    run: path.join(dir, 'run'),
    commits: path.join(dir, 'commits'),
    baseline: path.join(dir, 'baseline.json'),
    deletedLog: path.join(dir, 'deleted.log'),
    registry: path.join(dir, 'registry'),
    lock: path.join(dir, 'lock'),
  };
}

export class Repository {
  readonly home: string;

  constructor(home: string) {
    this.home = path.resolve(home);
    this.init();
  }

  private get repoFile(): string {
    return path.join(this.home, 'repo.json');
  }

  private init(): void {
    try {
      fs.mkdirSync(path.join(this.home, 'vms'), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new FvmError('IO_ERROR', `cannot create the repository at ${this.home}: ${(err as Error).message}`, 'Set FVM_HOME or --home to a writable directory.');
    }
    if (!fs.existsSync(this.repoFile)) writeJsonAtomicSync(this.repoFile, { formatVersion: REPO_FORMAT, nextId: 1 });
    const repo = this.readRepo();
    if (repo.formatVersion > REPO_FORMAT) {
      throw new FvmError('REPOSITORY_CORRUPT', `repository ${this.home} has format ${repo.formatVersion}, newer than this FVM (${REPO_FORMAT})`, 'Upgrade FVM, or point FVM_HOME elsewhere.');
    }
  }

  private readRepo(): { formatVersion: number; nextId: number } {
    try {
      const r = JSON.parse(fs.readFileSync(this.repoFile, 'utf8'));
      if (typeof r.formatVersion !== 'number' || typeof r.nextId !== 'number') throw new Error('fields missing');
      return r;
    } catch (err) {
      throw new FvmError('REPOSITORY_CORRUPT', `cannot read ${this.repoFile}: ${(err as Error).message}`, 'Restore repo.json from a backup, or move the repository aside.');
    }
  }

  /** Runs `fn` under the repository-wide lock (name uniqueness, id allocation). */
  withRepoLock<T>(op: string, fn: () => T): T {
    const lock = acquireLock(path.join(this.home, '.lock'), op, 'the repository');
    try {
      return fn();
    } finally {
      lock.release();
    }
  }

  allocateId(prefix = 'vm'): string {
    const repo = this.readRepo();
    writeJsonAtomicSync(this.repoFile, { ...repo, nextId: repo.nextId + 1 });
    return `${prefix}${repo.nextId}`;
  }

  /** Layers no VM refers to any more (after deletes); removed by the caller. */
  unusedLayers(): string[] {
    const dir = path.join(this.home, 'layers');
    let all: string[] = [];
    try {
      all = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const used = new Set(this.list().flatMap((m) => m.layers ?? []));
    return all.filter((l) => !used.has(l)).map((l) => path.join(dir, l));
  }

  paths(id: string): VmPaths {
    return vmPaths(this.home, id);
  }

  list(): VmManifest[] {
    const out: VmManifest[] = [];
    for (const id of fs.readdirSync(path.join(this.home, 'vms')).sort(byNumericId)) {
      const m = this.readManifest(id);
      if (m) out.push(m);
    }
    return out;
  }

  readManifest(id: string): VmManifest | null {
    try {
      const m = JSON.parse(fs.readFileSync(this.paths(id).manifest, 'utf8')) as VmManifest;
      return m && m.id === id && typeof m.name === 'string' ? m : null;
    } catch {
      return null;
    }
  }

  find(name: string): VmManifest {
    assertVmName(name);
    const m = this.list().find((v) => v.name === name);
    if (!m) {
      throw new FvmError('VM_NOT_FOUND', `no VM named '${name}' in ${this.home}`, 'List the VMs with `fvm list`, or create one with `fvm create NAME`.');
    }
    return m;
  }

  assertNameFree(name: string): void {
    assertVmName(name);
    if (this.list().some((v) => v.name === name)) {
      throw new FvmError('VM_EXISTS', `a VM named '${name}' already exists`, 'Choose another name, or delete the old VM with `fvm delete NAME`.');
    }
  }

  writeManifest(m: VmManifest): void {
    writeJsonAtomicSync(this.paths(m.id).manifest, m);
  }
}

function byNumericId(a: string, b: string): number {
  return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')) || a.localeCompare(b);
}

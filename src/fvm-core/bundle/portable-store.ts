/**
 * A bundle store: a portable repository on a stick whose file system cannot hold upper trees
 * (FAT, exFAT). Its VMs live there as `bundles/<name>.fvm`; they run from a local cache
 * repository, filled from the stick (pull) and written back to it, atomically, once stopped
 * (push).
 *
 * Each side's last synced state is remembered in the cache (portable-sync.json): a bundle's
 * size and mtime, and a stamp of the cached VM's files. A VM changed on both sides since is a
 * conflict: neither copy is overwritten, and the warning names it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult, ImportResult } from '../../shared/contract.js';
import { isValidVmName } from '../../shared/names.js';
import type { VmInfo } from '../../shared/types.js';
import { writeJsonAtomicSync } from '../atomic-write.js';
import { acquireLock } from '../lock.js';
import { sourceDirs, type Repository, type VmManifest } from '../repository.js';
import { BUNDLE_EXTENSION } from './bundle-format.js';

/** The engine operations a store needs (never through `invoke`, which syncs the store itself). */
export interface PortableEngine {
  readonly repo: Repository;
  info(name: string): VmInfo;
  stop(name: string): Promise<VmInfo>;
  delete(name: string): Promise<{ name: string }>;
  exportVm(name: string, file: string): Promise<ExportResult>;
  importVm(file: string, name?: string): Promise<ImportResult>;
}

interface SyncRecord {
  readonly size: number;
  readonly mtimeMs: number;
  readonly stamp: string;
}

interface SyncState {
  readonly formatVersion: 1;
  readonly store: string;
  vms: Record<string, SyncRecord>;
}

export interface SyncReport {
  readonly pulled: readonly string[];
  readonly pushed: readonly string[];
  readonly removed: readonly string[];
  readonly warnings: readonly string[];
}

export class PortableStore {
  private pulled: Promise<void> | null = null;

  constructor(
    readonly store: string,
    private readonly engine: PortableEngine,
  ) {}

  private get bundles(): string {
    return path.join(this.store, 'bundles');
  }

  private bundleOf(name: string): string {
    return path.join(this.bundles, `${name}${BUNDLE_EXTENSION}`);
  }

  private get stateFile(): string {
    return path.join(this.engine.repo.home, 'portable-sync.json');
  }

  private readState(): SyncState {
    try {
      const s = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as SyncState;
      if (s.formatVersion === 1 && s.vms && typeof s.vms === 'object') return s;
    } catch {
      // first use of this cache
    }
    return { formatVersion: 1, store: this.store, vms: {} };
  }

  private async locked<T>(op: string, fn: (state: SyncState, report: Report) => Promise<T>): Promise<SyncReport> {
    const lock = acquireLock(path.join(this.engine.repo.home, 'portable.lock'), op, `the portable store ${this.store}`, 15 * 60_000);
    const report = new Report();
    try {
      fs.mkdirSync(this.bundles, { recursive: true });
      const state = this.readState();
      await fn(state, report);
      writeJsonAtomicSync(this.stateFile, state);
    } finally {
      lock.release();
    }
    return report.done();
  }

  /** Brings the stick's bundles into the cache, once per engine (later calls wait for the first). */
  pullIn(): Promise<void> {
    // A failed pull (the stick was pulled out) is tried again by the next operation.
    this.pulled ??= this.pull().then(
      () => undefined,
      (err: unknown) => {
        this.pulled = null;
        throw err;
      },
    );
    return this.pulled;
  }

  /** Pull, then push: what a command does before and after it runs. */
  async sync(opts: { stopIdle?: boolean } = {}): Promise<SyncReport> {
    const a = await this.pull();
    this.pulled ??= Promise.resolve();
    const b = await this.pushOut(opts);
    return { pulled: a.pulled, pushed: b.pushed, removed: [...a.removed, ...b.removed], warnings: [...a.warnings, ...b.warnings] };
  }

  private pull(): Promise<SyncReport> {
    return this.locked('pull', async (state, report) => {
      const onStick = this.listBundles();
      for (const name of onStick) {
        const st = fs.statSync(this.bundleOf(name));
        const rec = state.vms[name];
        const local = this.find(name);
        if (rec && rec.size === st.size && rec.mtimeMs === st.mtimeMs) continue;
        if (local && (!rec || this.stampOf(local) !== rec.stamp)) {
          report.warn(`VM '${name}' changed both here and on ${this.store}: kept both as they are (export one under another name to reconcile)`);
          continue;
        }
        if (local && this.engine.info(name).state !== 'stopped') continue;
        if (local) await this.engine.delete(name);
        await this.engine.importVm(this.bundleOf(name), name);
        state.vms[name] = { size: st.size, mtimeMs: st.mtimeMs, stamp: this.stampOf(this.find(name) as VmManifest) };
        report.pulled.push(name);
      }
      for (const name of Object.keys(state.vms)) {
        if (onStick.includes(name)) continue;
        const local = this.find(name);
        // Deleted from the stick elsewhere: drop the cached copy unless it changed here since.
        if (local && this.stampOf(local) === state.vms[name].stamp && this.engine.info(name).state === 'stopped') {
          await this.engine.delete(name);
          report.removed.push(name);
        }
        delete state.vms[name];
      }
    });
  }

  /** Writes every stopped VM that changed back to the stick; removes bundles of deleted VMs. */
  pushOut(opts: { stopIdle?: boolean } = {}): Promise<SyncReport> {
    return this.locked('push', async (state, report) => {
      const locals = this.engine.repo.list();
      for (const m of locals) {
        let info = this.engine.info(m.name);
        if (opts.stopIdle && info.state === 'running' && info.processCount === 0) info = await this.engine.stop(m.name);
        if (info.state !== 'stopped') continue;
        const file = this.bundleOf(m.name);
        const st = fs.statSync(file, { throwIfNoEntry: false });
        const rec = state.vms[m.name];
        const stamp = this.stampOf(m);
        const stickUnchanged = !!st && !!rec && st.size === rec.size && st.mtimeMs === rec.mtimeMs;
        if (rec && rec.stamp === stamp && stickUnchanged) continue;
        if (st && !stickUnchanged) {
          if (!rec || rec.stamp !== stamp) report.warn(`VM '${m.name}' changed both here and on ${this.store}: its bundle there was not overwritten`);
          continue;
        }
        await this.engine.exportVm(m.name, file);
        const now = fs.statSync(file);
        state.vms[m.name] = { size: now.size, mtimeMs: now.mtimeMs, stamp };
        report.pushed.push(m.name);
      }
      for (const name of Object.keys(state.vms)) {
        if (locals.some((m) => m.name === name)) continue;
        const file = this.bundleOf(name);
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (st && st.size === state.vms[name].size && st.mtimeMs === state.vms[name].mtimeMs) {
          fs.rmSync(file, { force: true });
          report.removed.push(name);
        }
        delete state.vms[name];
      }
    });
  }

  private listBundles(): string[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.bundles);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith(BUNDLE_EXTENSION))
      .map((n) => n.slice(0, -BUNDLE_EXTENSION.length))
      .filter((n) => isValidVmName(n))
      .sort();
  }

  private find(name: string): VmManifest | undefined {
    return this.engine.repo.list().find((m) => m.name === name);
  }

  /** A digest of a VM's state: its manifest, and every entry's type, mode, size and mtime. */
  private stampOf(m: VmManifest): string {
    const p = this.engine.repo.paths(m.id);
    const h = crypto.createHash('sha256');
    h.update(JSON.stringify({ name: m.name, config: m.config, layers: m.layers ?? [] }));
    const walk = (dir: string, rel: string) => {
      let names: string[];
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        return;
      }
      for (const n of names) {
        const full = path.join(dir, n);
        const st = fs.lstatSync(full);
        h.update(`${rel}/${n}\0${st.mode}\0${st.size}\0${st.isDirectory() ? 0 : st.mtimeMs}\0${st.rdev}\n`);
        if (st.isDirectory()) walk(full, `${rel}/${n}`);
      }
    };
    for (const d of sourceDirs(p)) walk(d, '');
    walk(p.registry, '#registry');
    try {
      h.update(fs.readFileSync(p.deletedLog));
    } catch {
      // no log yet
    }
    return h.digest('hex');
  }
}

class Report {
  readonly pulled: string[] = [];
  readonly pushed: string[] = [];
  readonly removed: string[] = [];
  readonly warnings: string[] = [];

  warn(message: string): void {
    this.warnings.push(message);
  }

  done(): SyncReport {
    return { pulled: this.pulled, pushed: this.pushed, removed: this.removed, warnings: this.warnings };
  }
}

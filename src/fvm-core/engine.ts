/**
 * The engine facade: every operation of the contract, one function each, shared by the CLI,
 * the Electron IPC gateway and the browser bridge.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { schemas, type VmCommitResult, type EventChannel, type OperationInput, type OperationName, type OperationResult, type RunStarted } from '../shared/contract.js';
import type { Change, DoctorCheck, ProcessInfo, Progress, Rule, VmConfig, VmInfo, VmSummary } from '../shared/types.js';
import { assertVmName } from '../shared/names.js';
import { PRESETS } from '../redirect/rules.js';
import { layerFsDir, Repository, sourceDirs, type VmManifest, REPO_FORMAT } from './repository.js';
import { EventBus, type EventListener } from './events.js';
import { acquireLock } from './lock.js';
import { clearStaleRuntime, readState } from './vm-state.js';
import { launchVm } from './launcher.js';
import { joinVm } from './join.js';
import { sanitizedEnv } from './sanitize.js';
import { listVmProcesses } from './processes.js';
import { killVm, resumeVm, suspendVm } from './suspend.js';
import { diskUsageSync } from './disk-usage.js';
import { computeExtraRoots } from './extra-roots.js';
import { removeCgroup } from './cgroup.js';
import type { Runtime } from './runtime.js';
import { diffVm } from './diff.js';
import { writeDeletionLog } from './deletion-log-file.js';
import { updateBaseline } from './baseline.js';
import { commitVm, hasIncompleteCommit, recoverCommit } from './commit.js';
import { uncommitVm, commitCount } from './uncommit.js';
import { copyEntrySync, removeTreeSync } from './tree-ops.js';
import { runDoctor } from './doctor.js';
import { ProcessWatch } from './process-watch.js';
import { planRelay, relayStdio } from './stdio-relay.js';
import { ChangeWatch } from './change-watch.js';
// Bundles (export/import) and portable repositories: src/fvm-core/bundle/.
import type { ExportResult, ImportResult } from '../shared/contract.js';
import { PortableStore, type SyncReport } from './bundle/portable-store.js';
import { perPercent } from './bundle/progress.js';
import { resolveRepositoryLocation, type RepositoryLocation } from './bundle/repo-location.js';
// What a VM did, with risk flags (src/fvm-core/report.ts).
import type { VmReport } from '../shared/types.js';
import { buildReport } from './report.js';
import { vmVersionProbe } from './report-probe.js';
// The Windows registry of Wine prefixes (src/fvm-core/registry/).
import { VmRegistry } from './registry/vm-registry.js';
import { vmWineServers } from './registry/wine-servers.js';
import { stopWineservers, vmFileWriter, waitForWineservers } from './registry/wine-in-vm.js';
import { applyRegistryCommit, assertUncommitPossible, lastDoneCommit, planRegistryCommit, recordRegistryOnlyCommit, recoverRegistryCommits, undoRegistryCommit } from './registry/registry-commit.js';
import { hostHiveMatcher } from './registry/wine-prefixes.js';
import type { RegistryChange } from '../shared/types.js';

// Bundles are read and written with the tar library, which costs a CLI start 40-50 ms to load:
// loaded when a bundle is (esbuild makes these chunks of their own).
const loadBundleExport = () => import('./bundle/bundle-export.js');
const loadBundleImport = () => import('./bundle/bundle-import.js');

export interface EngineOptions {
  readonly home?: string;
  /** Seconds an idle VM stays up before its init stops it (0 = until `stop`). */
  readonly lingerSeconds?: number;
}

export interface RunRequest {
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly root?: boolean;
}

export type ProgressFn = (p: Progress) => void;

export class Engine {
  readonly repo: Repository;
  readonly events = new EventBus();
  private readonly linger: number;
  private runCounter = 0;

  constructor(options: EngineOptions = {}) {
    // --home, FVM_HOME, a portable FVMRep/ beside the app, or the default; on a FAT/exFAT stick a local cache.
    this.location = resolveRepositoryLocation(options.home);
    this.repo = new Repository(this.location.home);
    this.portable = this.location.bundleStore ? new PortableStore(this.location.bundleStore, this) : null;
    const envLinger = Number(process.env.FVM_LINGER_SECONDS);
    this.linger = options.lingerSeconds ?? (Number.isFinite(envLinger) && process.env.FVM_LINGER_SECONDS ? envLinger : 5);
  }

  /** Validates the input against the contract and runs the operation. */
  async invoke<K extends OperationName>(op: K, input: OperationInput<K>): Promise<OperationResult<K>> {
    const schema = schemas[op];
    if (!schema) throw new FvmError('INVALID_ARGUMENT', `unknown operation '${String(op)}'`, 'See src/shared/contract.ts for the operations.');
    const parsed = schema.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'input';
      throw new FvmError(isNameIssue(issue?.path) ? 'INVALID_NAME' : 'INVALID_ARGUMENT', `${op}: ${where}: ${issue?.message ?? 'invalid'}`, 'Check the operation\'s arguments against the contract.');
    }
    const handler = this.handlers[op] as unknown as (i: OperationInput<K>) => Promise<OperationResult<K>> | OperationResult<K>;
    await this.portable?.pullIn();
    const result = await handler(parsed.data as OperationInput<K>);
    if (this.portable && PORTABLE_PUSH_AFTER.has(op)) await this.portable.pushOut();
    return result;
  }

  /** One handler per contract operation; the mapped type makes a missing one a compile error. */
  private readonly handlers: { [K in OperationName]: (input: OperationInput<K>) => Promise<OperationResult<K>> | OperationResult<K> } = {
    'vm:list': () => ({ vms: this.list() }),
    'vm:info': (i) => this.info(i.name),
    'vm:create': (i) => this.create(i),
    'vm:run': (i) => this.runDetached(i.name, i),
    'vm:ps': (i) => ({ processes: this.ps(i.name) }),
    'vm:suspend': (i) => this.suspend(i.name),
    'vm:resume': (i) => this.resume(i.name),
    'vm:stop': (i) => this.stop(i.name),
    'vm:diff': (i) => this.diffAll(i.name),
    'vm:report': (i) => this.report(i.name),
    'vm:commit': (i) => this.commit(i.name, { paths: i.paths, keys: i.keys, dryRun: i.dryRun, force: i.force }),
    'vm:uncommit': (i) => this.uncommit(i.name),
    'vm:copy': (i) => this.copy(i.source, i.target),
    'vm:delete': (i) => this.delete(i.name),
    'vm:export': (i) => this.exportVm(i.name, i.file),
    'vm:import': (i) => this.importVm(i.file, i.name),
    'app:doctor': () => this.doctor(),
    'reg:query': (i) => this.withRegistry(i.name, 'reg-query', (r) => r.query(i)),
    'reg:add': (i) => this.withRegistry(i.name, 'reg-add', (r) => r.add(i)),
    'reg:delete': (i) => this.withRegistry(i.name, 'reg-delete', (r) => r.delete(i)),
    'reg:diff': (i) => this.withRegistry(i.name, 'reg-diff', (r) => ({ changes: r.diff(i) })),
    'reg:export': (i) => this.withRegistry(i.name, 'reg-export', (r) => r.exportKey(i)),
    'reg:import': (i) => this.withRegistry(i.name, 'reg-import', (r) => r.importFile(i)),
  };

  private processWatch: ProcessWatch | null = null;
  private changeWatch: ChangeWatch | null = null;
  private watchTimer: NodeJS.Timeout | null = null;

  /** Keeps a live change feed on every running VM's upper tree (for subscribers). */
  private syncChangeWatch(): void {
    if (!this.changeWatch) return;
    const targets = this.repo
      .list()
      .filter((m) => readState(this.repo.paths(m.id)).state !== 'stopped')
      .map((m) => ({ vm: m.name, fsDir: this.repo.paths(m.id).fs }));
    this.changeWatch.sync(targets);
  }

  /**
   * Subscribes to push events. The first subscriber also starts the process watch, so the
   * app sees daemons start and exit, not only the programs it launched.
   */
  onEvent(listener: EventListener): () => void {
    const off = this.events.on(listener);
    if (!this.processWatch) {
      this.processWatch = new ProcessWatch({ snapshot: () => safe(() => this.ps(), []), emit: (c, p) => this.emit(c, p) });
      this.processWatch.start();
      this.changeWatch = new ChangeWatch((vm, changes) => {
        // A prefix's hive files are registry changes, shown by the diff's registry part, not as files.
        const hives = safe(() => hostHiveMatcher(this.registry(this.repo.find(vm)).prefixes()), () => false);
        const files = changes.filter((c) => !hives(c.path));
        if (files.length) this.emit('fs:changed', { vm, changes: files });
      });
      this.syncChangeWatch();
      this.events.on((channel) => {
        if (channel === 'vm:state' || channel === 'process:started') this.syncChangeWatch();
      });
      this.watchTimer = setInterval(() => safe(() => this.syncChangeWatch(), undefined), 2000);
      this.watchTimer.unref();
    }
    return off;
  }

  async close(): Promise<void> {
    // VMs outlive the engine by design; only the watchers stop.
    this.processWatch?.stop();
    this.processWatch = null;
    this.changeWatch?.close();
    this.changeWatch = null;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  private emit(channel: EventChannel, payload: unknown): void {
    this.events.emit(channel, payload);
  }

  /** Runs `fn` holding the VM's lock; first recovers an interrupted commit and stale runtime. */
  private async withVm<T>(name: string, op: string, fn: (m: VmManifest) => Promise<T> | T): Promise<T> {
    const m = this.repo.find(name);
    const p = this.repo.paths(m.id);
    const lock = acquireLock(p.lock, op, `VM '${name}'`);
    try {
      clearStaleRuntime(p);
      recoverCommit(p);
      recoverRegistryCommits(p);
      return await fn(m);
    } finally {
      lock.release();
    }
  }

  /**
   * Read-only commands must not show a half-applied commit: if one was interrupted, finish it
   * first (under the lock), whichever command comes next.
   */
  private settle(m: VmManifest): void {
    const p = this.repo.paths(m.id);
    if (!hasIncompleteCommit(p)) return;
    const lock = acquireLock(p.lock, 'recover', `VM '${m.name}'`);
    try {
      recoverCommit(p);
    } finally {
      lock.release();
    }
  }

  list(): VmSummary[] {
    return this.repo.list().map((m) => {
      this.settle(m);
      return this.summary(m);
    });
  }

  private summary(m: VmManifest): VmSummary {
    const p = this.repo.paths(m.id);
    const { state, runtime } = readState(p);
    return {
      name: m.name,
      id: m.id,
      state,
      // Its own tree, its registry delta, and the shared layers it stacks (a copy is not 0 B).
      sizeBytes: diskUsageSync(p.fs) + sourceDirs(p).slice(1).reduce((n, d) => n + layerUsage(d), 0) + diskUsageSync(p.registry),
      created: m.created,
      processCount: runtime ? Math.max(0, listVmProcesses(m.name, runtime).length - 1) : 0,
    };
  }

  info(name: string): VmInfo {
    const m = this.repo.find(name);
    this.settle(m);
    const p = this.repo.paths(m.id);
    const { runtime } = readState(p);
    return { ...this.summary(m), config: m.config, path: p.dir, initPid: runtime?.initPid ?? null, commits: commitCount(p) };
  }

  create(input: OperationInput<'vm:create'>): VmInfo {
    assertVmName(input.name);
    const preset = input.preset ?? 'default';
    const home = os.homedir();
    const config: VmConfig = {
      network: input.network ?? PRESETS[preset].network ?? 'private',
      preset,
      rules: (input.rules ?? []) as Rule[],
      hostname: input.hostname ?? null,
    };
    const uid = process.getuid?.() ?? 0;
    const extraRoots = computeExtraRoots(uid, process.getgroups?.() ?? [], home);
    const m = this.repo.withRepoLock('create', () => {
      this.repo.assertNameFree(input.name);
      const id = this.repo.allocateId();
      const p = this.repo.paths(id);
      fs.mkdirSync(p.dir, { mode: 0o700 });
      for (const d of [p.fs, p.work, p.mnt, p.run, p.commits, p.registry]) fs.mkdirSync(d, { mode: d === p.fs ? 0o755 : 0o700 });
      const manifest: VmManifest = {
        formatVersion: REPO_FORMAT,
        id,
        name: input.name,
        created: new Date().toISOString(),
        config,
        extraRoots,
        owner: { uid, home },
      };
      this.repo.writeManifest(manifest);
      return manifest;
    });
    this.emit('vm:state', { vm: m.name, state: 'stopped' });
    return this.info(m.name);
  }

  /** Starts the VM if it is stopped; returns its runtime. A suspended VM must be resumed first. */
  async ensureRunning(name: string): Promise<Runtime> {
    return this.withVm(name, 'start', async (m) => {
      const p = this.repo.paths(m.id);
      const { state, runtime } = readState(p);
      if (state === 'suspended') throw new FvmError('VM_SUSPENDED', `VM '${name}' is suspended`, `Resume it first: fvm resume ${name}`);
      if (runtime) return runtime;
      updateBaseline(p);
      const rt = await launchWithRetry(() => launchVm(m, p, { storeDir: this.repo.home, lingerSeconds: this.linger }));
      this.emit('vm:state', { vm: name, state: 'running' });
      return rt;
    });
  }

  private checkRoot(root: boolean | undefined): void {
    if (root && process.getuid?.() !== 0) {
      throw new FvmError(
        'ROOT_UNAVAILABLE',
        'fvm run --root needs FVM itself to run as root: an unprivileged user namespace cannot map uid 0, so files owned by the host\'s root stay read-only in the VM',
        'Run the installer as root (sudo fvm run --root VM -- CMD, with its own repository), or install it into $HOME without --root. `fvm doctor` explains the options.',
      );
    }
  }

  private joinEnv(m: VmManifest, req: { readonly env?: Readonly<Record<string, string>> }): Record<string, string> {
    return sanitizedEnv(process.env, m.name, process.getuid?.() ?? 0, req.env ?? {});
  }

  /** CLI form of run: stdio relayed (never handed over), resolves with the program's exit status. */
  async runAttached(name: string, req: RunRequest): Promise<number> {
    this.checkRoot(req.root);
    const m = this.repo.find(name);
    const rt = await this.ensureRunning(name);
    await this.registryBeforeRun(m, rt, req);
    const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY;
    const plan = planRelay(req.command, interactive, process.stdout.columns, process.stdout.rows);
    const child = joinVm(rt, { command: plan.command, cwd: req.cwd ?? process.cwd(), env: this.joinEnv(m, req), stdio: ['pipe', 'pipe', 'pipe'] });
    const forward = (sig: NodeJS.Signals) => () => forwardSignal(child.pid, sig);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    let status: number;
    try {
      const r = await relayStdio(child, plan.pty);
      status = r.code ?? 128 + (r.signal ? signalNumber(r.signal) : 1);
    } catch (err) {
      throw new FvmError('LAUNCH_FAILED', `cannot run ${req.command[0]} in VM '${name}': ${(err as Error).message}`, 'Run `fvm doctor`.');
    } finally {
      for (const [s, h] of handlers) process.off(s, h);
    }
    await this.afterRun(m, rt, req);
    return status;
  }

  /** App form of run: output arrives as 'process:output' events, exit as 'process:exited'. */
  async runDetached(name: string, req: RunRequest): Promise<RunStarted> {
    this.checkRoot(req.root);
    const m = this.repo.find(name);
    const rt = await this.ensureRunning(name);
    await this.registryBeforeRun(m, rt, req);
    const runId = `r${process.pid}-${++this.runCounter}`;
    const child = joinVm(rt, { command: req.command, cwd: req.cwd ?? os.homedir(), env: this.joinEnv(m, req), stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid ?? 0;
    const cmd = req.command.join(' ');
    this.emit('process:started', { vm: name, pid, cmd, runId });
    child.stdout?.on('data', (d: Buffer) => this.emit('process:output', { vm: name, runId, stream: 'stdout', data: d.toString('utf8') }));
    child.stderr?.on('data', (d: Buffer) => this.emit('process:output', { vm: name, runId, stream: 'stderr', data: d.toString('utf8') }));
    child.on('exit', (code, sig) => {
      this.emit('process:exited', { vm: name, pid, runId, status: code ?? (sig ? 128 + signalNumber(sig) : null) });
      void this.afterRun(m, rt, req);
    });
    return { vm: name, runId, pid };
  }

  private async afterRun(m: VmManifest, rt: Runtime, req: RunRequest): Promise<void> {
    try {
      updateBaseline(this.repo.paths(m.id));
    } catch {
      // best effort: the next start or stop records it again
    }
    try {
      await this.registryAfterRun(m, rt, req);
    } catch {
      // The program's result stands; the registry is harvested again by the next command.
    }
  }

  // ---- The Windows registry of Wine prefixes (src/fvm-core/registry/) ----

  private registry(m: VmManifest): VmRegistry {
    const p = this.repo.paths(m.id);
    return new VmRegistry(p, m.owner.home, () => {
      const { runtime } = readState(p);
      return runtime ? vmWineServers(listVmProcesses(m.name, runtime), m.owner.home) : [];
    });
  }

  private runPrefixes(req: RunRequest): string[] {
    const explicit = req.env?.WINEPREFIX ?? process.env.WINEPREFIX;
    return explicit && path.isAbsolute(explicit) ? [explicit] : [];
  }

  /** Shows Wine the VM's view of each prefix (host ⊕ delta) before a program starts. */
  private async registryBeforeRun(m: VmManifest, rt: Runtime, req: RunRequest): Promise<void> {
    await this.withVm(m.name, 'registry', (mm) => this.registry(mm).beforeRun(this.runPrefixes(req), vmFileWriter(rt, this.joinEnv(mm, {}))));
  }

  /**
   * After a program: waits (bounded) for the VM's wineservers to save and exit, then harvests
   * what Wine wrote into the delta. A server that outlives the wait (a Wine program left running)
   * is harvested later, by the next run, a registry command or stop.
   */
  private async registryAfterRun(m: VmManifest, rt: Runtime, req: RunRequest): Promise<void> {
    const reg = this.registry(m);
    reg.discover();
    const serving = [...new Set(vmWineServers(listVmProcesses(m.name, rt), m.owner.home).map((s) => s.prefix))];
    if (serving.length > 0) await waitForWineservers(rt, this.joinEnv(m, req), serving);
    await this.withVm(m.name, 'registry', (mm) => this.registry(mm).afterRun());
  }

  /** Runs a registry command under the VM's lock. */
  private withRegistry<T>(name: string, op: string, fn: (r: VmRegistry) => T): Promise<T> {
    return this.withVm(name, op, (m) => fn(this.registry(m)));
  }

  /** Files and registry changes of a VM; a prefix's hive files are shown as registry changes. */
  diffAll(name: string): { changes: Change[]; registry: RegistryChange[] } {
    const m = this.repo.find(name);
    this.settle(m);
    const reg = this.registry(m);
    const registry = safe(() => reg.diff(), [] as RegistryChange[]);
    const hives = hostHiveMatcher(reg.prefixes());
    return { changes: diffVm(this.repo.paths(m.id)).changes.filter((c) => !hives(c.path)), registry };
  }

  /** What the VM did: risk flags from its changes, a summary, and its processes while it runs. */
  report(name: string): VmReport {
    const m = this.repo.find(name);
    const { changes, registry } = this.diffAll(name);
    const p = this.repo.paths(m.id);
    const { state } = readState(p);
    const processes = state === 'stopped' ? [] : this.ps(name);
    return buildReport({ vm: name, state, changes, registry, processes, home: m.owner.home, envPath: process.env.PATH, probe: vmVersionProbe(p) });
  }

  ps(name?: string): ProcessInfo[] {
    const vms = name ? [this.repo.find(name)] : this.repo.list();
    const out: ProcessInfo[] = [];
    for (const m of vms) {
      const { runtime } = readState(this.repo.paths(m.id));
      if (runtime) out.push(...listVmProcesses(m.name, runtime));
    }
    return out;
  }

  async suspend(name: string): Promise<VmInfo> {
    await this.withVm(name, 'suspend', async (m) => {
      const p = this.repo.paths(m.id);
      const { state, runtime } = readState(p);
      if (!runtime) throw new FvmError('VM_NOT_RUNNING', `VM '${name}' is not running`, `Start a program in it first: fvm run ${name} -- CMD`);
      if (state === 'suspended') return;
      fs.writeFileSync(`${p.run}/suspended`, new Date().toISOString());
      await suspendVm(runtime);
      this.emit('vm:state', { vm: name, state: 'suspended' });
    });
    return this.info(name);
  }

  async resume(name: string): Promise<VmInfo> {
    await this.withVm(name, 'resume', async (m) => {
      const p = this.repo.paths(m.id);
      const { state, runtime } = readState(p);
      if (!runtime) throw new FvmError('VM_NOT_RUNNING', `VM '${name}' is not running`, 'Only a suspended VM can be resumed.');
      if (state !== 'suspended') return;
      await resumeVm(runtime);
      fs.rmSync(`${p.run}/suspended`, { force: true });
      this.emit('vm:state', { vm: name, state: 'running' });
    });
    return this.info(name);
  }

  async stop(name: string): Promise<VmInfo> {
    await this.withVm(name, 'stop', async (m) => this.stopLocked(m));
    return this.info(name);
  }

  private async stopLocked(m: VmManifest): Promise<void> {
    const p = this.repo.paths(m.id);
    const { runtime } = readState(p);
    if (!runtime) return;
    // Wine keeps the registry in its server's memory: have it save before the VM's processes die.
    const serving = [...new Set(vmWineServers(listVmProcesses(m.name, runtime), m.owner.home).map((s) => s.prefix))];
    if (serving.length > 0) await stopWineservers(runtime, this.joinEnv(m, {}), serving);
    await killVm(runtime);
    removeCgroup(runtime.cgroup);
    clearStaleRuntime(p);
    updateBaseline(p);
    writeDeletionLog(p);
    safe(() => this.registry(m).afterRun(), undefined);
    this.emit('vm:state', { vm: m.name, state: 'stopped' });
  }

  /**
   * For operations that need a stopped VM: an idle VM (only its init left) is stopped quietly,
   * one with programs still running is refused.
   */
  private async requireStopped(m: VmManifest, what: string): Promise<void> {
    const p = this.repo.paths(m.id);
    const { runtime } = readState(p);
    if (!runtime) return;
    const procs = listVmProcesses(m.name, runtime).filter((x) => x.pid !== runtime.initPid);
    if (procs.length > 0) {
      throw new FvmError(
        'VM_RUNNING',
        `cannot ${what} VM '${m.name}' while ${procs.length} program(s) run in it (${procs.slice(0, 3).map((x) => x.cmd.split(' ')[0]).join(', ')})`,
        `Stop it first: fvm stop ${m.name}`,
      );
    }
    await this.stopLocked(m);
  }

  diff(name: string): Change[] {
    const m = this.repo.find(name);
    this.settle(m);
    return diffVm(this.repo.paths(m.id)).changes;
  }

  /**
   * Commits files (`paths`) and registry keys (`keys`); with neither, everything. The registry
   * part is planned first, so REGISTRY_BUSY or a bad --key refuses before any file moves.
   */
  async commit(name: string, opts: { paths?: readonly string[]; keys?: readonly string[]; dryRun?: boolean; force?: boolean }, onProgress?: ProgressFn): Promise<VmCommitResult> {
    return this.withVm(name, 'commit', async (m) => {
      if (!opts.dryRun) await this.requireStopped(m, 'commit');
      const progress = (pr: Progress) => {
        onProgress?.(pr);
        this.emit('op:progress', { vm: name, ...pr });
      };
      const p = this.repo.paths(m.id);
      const reg = this.registry(m);
      reg.afterRun();
      const files = opts.keys === undefined || opts.paths !== undefined;
      const keys = opts.paths === undefined || opts.keys !== undefined;
      const regPlan = keys ? planRegistryCommit(p, opts.keys) : [];
      const exclude = hostHiveMatcher(reg.prefixes());
      const r = files
        ? commitVm(p, { paths: opts.paths, dryRun: !!opts.dryRun, force: !!opts.force, exclude }, progress)
        : { commit: null, dryRun: !!opts.dryRun, applied: [] };
      const registry = regPlan.flatMap((c) => c.changes);
      if (opts.dryRun || regPlan.length === 0) return { ...r, registry: opts.dryRun ? registry : [] };
      const n = r.commit ?? recordRegistryOnlyCommit(p);
      applyRegistryCommit(p, n, regPlan);
      if (r.commit !== null) writeDeletionLog(p);
      return { ...r, commit: n, registry };
    });
  }

  async uncommit(name: string): Promise<{ commit: number; restored: number; registryHives: number }> {
    return this.withVm(name, 'uncommit', async (m) => {
      await this.requireStopped(m, 'uncommit');
      const p = this.repo.paths(m.id);
      const last = lastDoneCommit(p);
      if (last !== null) assertUncommitPossible(p, last);
      const r = uncommitVm(p);
      const registryHives = undoRegistryCommit(p, r.commit);
      writeDeletionLog(p);
      return { ...r, registryHives };
    });
  }

  /**
   * Copies a stopped VM in O(1): its upper tree is frozen into a shared read-only layer that
   * both VMs stack below fresh upper trees of their own (DESIGN.md §5).
   *
   * Crash-safe by order: the manifest names the layer before the tree moves into it (a layer
   * that does not exist yet is skipped by the mount plan and the diff), and the target's
   * manifest is written last, so a crash never leaves a VM that looks complete but is not.
   */
  async copy(source: string, target: string, onProgress?: ProgressFn): Promise<VmInfo> {
    assertVmName(target);
    await this.withVm(source, 'copy', async (src) => {
      await this.requireStopped(src, 'copy');
      const sp = this.repo.paths(src.id);
      const { id, layerId } = this.repo.withRepoLock('copy', () => {
        this.repo.assertNameFree(target);
        return { id: this.repo.allocateId(), layerId: this.repo.allocateId('layer') };
      });
      const progress = (done: number) => {
        const pr = { op: 'copy', done, total: 3 };
        onProgress?.(pr);
        this.emit('op:progress', { vm: source, ...pr });
      };
      progress(0);
      const layerFs = layerFsDir(this.repo.home, layerId);
      fs.mkdirSync(path.dirname(layerFs), { recursive: true, mode: 0o700 });
      const layers = [layerId, ...(src.layers ?? [])];
      this.repo.writeManifest({ ...src, layers });
      fs.renameSync(sp.fs, layerFs);
      fs.mkdirSync(sp.fs, { mode: 0o755 });
      progress(1);
      const dst = this.repo.paths(id);
      try {
        fs.mkdirSync(dst.dir, { mode: 0o700 });
        for (const d of [dst.fs, dst.work, dst.mnt, dst.run, dst.commits]) fs.mkdirSync(d, { mode: d === dst.fs ? 0o755 : 0o700 });
        if (fs.existsSync(sp.registry)) copyEntrySync(sp.registry, dst.registry);
        else fs.mkdirSync(dst.registry, { mode: 0o700 });
        for (const f of [sp.baseline, sp.deletedLog]) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(dst.dir, path.basename(f)));
        progress(2);
        this.repo.writeManifest({ ...src, id, name: target, created: new Date().toISOString(), layers });
      } catch (err) {
        removeTreeSync(dst.dir);
        throw err;
      }
      progress(3);
    });
    this.emit('vm:state', { vm: target, state: 'stopped' });
    return this.info(target);
  }

  async delete(name: string): Promise<{ name: string }> {
    await this.withVm(name, 'delete', async (m) => {
      await this.requireStopped(m, 'delete');
      const p = this.repo.paths(m.id);
      // Rename first: the VM vanishes from `list` at once and a crash leaves only a trash dir.
      const trash = `${p.dir}.deleting`;
      fs.rmSync(p.manifest, { force: true });
      fs.renameSync(p.dir, trash);
      removeTreeSync(trash);
      // Layers shared with copies stay until the last VM stacking them is gone.
      this.repo.withRepoLock('delete', () => {
        for (const l of this.repo.unusedLayers()) removeTreeSync(l);
      });
    });
    this.emit('vm:state', { vm: name, state: 'deleted' });
    return { name };
  }

  // ---- Bundles and portable repositories (src/fvm-core/bundle/) ----

  private readonly location: RepositoryLocation;
  /** Set when the repository is a bundle store on a FAT/exFAT stick and `repo` is its local cache. */
  private readonly portable: PortableStore | null;

  /** Writes a stopped VM to one bundle file, atomically: the previous file stays whole until the rename. */
  async exportVm(name: string, file: string, onProgress?: ProgressFn): Promise<ExportResult> {
    return this.withVm(name, 'export', async (m) => {
      await this.requireStopped(m, 'export');
      const { exportVmBundle } = await loadBundleExport();
      return exportVmBundle(this.repo.paths(m.id), m, file, this.byteProgress(name, 'export', onProgress));
    });
  }

  /** Imports a bundle as a new VM (the bundle's name unless `name`), relocated to this user's $HOME. */
  async importVm(file: string, name?: string, onProgress?: ProgressFn): Promise<ImportResult> {
    const { importBundle, importResultOf } = await loadBundleImport();
    const out = await importBundle({ repo: this.repo, file, name, onProgress: this.byteProgress(name ?? path.basename(file), 'import', onProgress) });
    this.emit('vm:state', { vm: out.vm.name, state: 'stopped' });
    return importResultOf(out, this.info(out.vm.name), file);
  }

  /** Where the repository is; for a bundle store, `home` is the local cache and `bundleStore` the stick. */
  repositoryLocation(): RepositoryLocation {
    return this.location;
  }

  /** Bundle store only: pulls the stick's bundles, writes stopped VMs back (`stopIdle`: stops idle ones first). */
  async syncPortable(opts: { stopIdle?: boolean } = {}): Promise<SyncReport | null> {
    return this.portable ? this.portable.sync(opts) : null;
  }

  private byteProgress(vm: string, op: string, onProgress?: ProgressFn): (done: number, total: number) => void {
    return perPercent((done, total) => {
      onProgress?.({ op, done, total });
      this.emit('op:progress', { vm, op, done, total });
    });
  }

  doctor(): { ok: boolean; checks: DoctorCheck[] } {
    const checks = runDoctor(this.repo.home);
    return { ok: checks.every((c) => c.ok || c.optional), checks };
  }
}

/** Operations after which a bundle store writes changed, stopped VMs back to the stick. */
const PORTABLE_PUSH_AFTER: ReadonlySet<OperationName> = new Set(['vm:create', 'vm:stop', 'vm:commit', 'vm:uncommit', 'vm:copy', 'vm:delete', 'vm:import']);

export function openEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}

/**
 * Disk usage of a shared layer, computed once: layers never change after a copy froze them, and
 * a walk of a large one would make every `list` (and the copy itself) cost O(its files).
 */
function layerUsage(layerFs: string): number {
  const cache = path.join(path.dirname(layerFs), 'size');
  try {
    const n = Number(fs.readFileSync(cache, 'utf8'));
    if (Number.isFinite(n)) return n;
  } catch {
    // not measured yet
  }
  const n = diskUsageSync(layerFs);
  try {
    fs.writeFileSync(cache, String(n));
  } catch {
    // read-only store: measure again next time
  }
  return n;
}

/**
 * Retries a launch whose init died before it reported its pid. As root, under heavy load, the
 * VM's init has been seen (2 in 30 launches) to start without its uid map in effect and fail
 * on the store with EACCES; the cause is not found yet, and a fresh launch succeeds.
 */
async function launchWithRetry(launch: () => Promise<Runtime>, attempts = 3): Promise<Runtime> {
  for (let i = 1; ; i++) {
    try {
      return await launch();
    } catch (err) {
      const early = err instanceof FvmError && err.code === 'LAUNCH_FAILED' && /launcher exit/.test(err.message) && /Permission denied/.test(err.message);
      if (!early || i >= attempts) throw err;
    }
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function isNameIssue(p: readonly PropertyKey[] | undefined): boolean {
  return !!p && p.length === 1 && (p[0] === 'name' || p[0] === 'source' || p[0] === 'target');
}

function forwardSignal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  // The program is nsenter's child (nsenter forks into the PID namespace); signal both.
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const k of kids) process.kill(Number(k), sig);
  } catch {
    // gone
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  return os.constants.signals[sig] ?? 1;
}

/**
 * An in-memory EngineApi for unit tests of the transports and for previewing the UI: no
 * namespaces, no files. It records calls and lets a test emit events; `vm:run` pretends the
 * program wrote files and exited. Never used by the e2e suite, which drives the real engine.
 */
import path from 'node:path';
import type { EventChannel, OperationInput, OperationName, OperationResult } from '../../src/shared/contract.js';
import type { EngineApi } from '../../src/shared/engine-api.js';
import { FvmError } from '../../src/shared/errors.js';
import type { Change, ProcessInfo, VmInfo } from '../../src/shared/types.js';
import { buildReport } from '../../src/fvm-core/report.js';
import type { VersionProbe } from '../../src/fvm-core/report.js';
import { FAKE_PREFIX, FakeHostRegistry, FakeVmRegistry } from './fake-registry.js';

const BLIND_PROBE: VersionProbe = { statOf: () => null, readVm: () => null, readHost: () => null, linkOf: () => null, hostExecutable: () => false };

type Listener = (channel: EventChannel, payload: unknown) => void;

export interface FakeVm {
  info: VmInfo;
  changes: Change[];
  processes: ProcessInfo[];
  /** Its Windows registry over the engine's `hostRegistry`. */
  registry: FakeVmRegistry;
}

export interface FakeEngineOptions {
  /** Delay of each simulated program step (ms); 0 in tests. */
  readonly stepMs?: number;
}

export class FakeEngine implements EngineApi {
  readonly calls: { op: OperationName; input: unknown }[] = [];
  readonly vms = new Map<string, FakeVm>();
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  private nextPid = 4100;
  /** The host's Wine registry (~/.wine), which a commit of registry keys changes. */
  readonly hostRegistry = new FakeHostRegistry();
  closed = false;

  constructor(private readonly options: FakeEngineOptions = {}) {}

  emit(channel: EventChannel, payload: unknown): void {
    for (const l of this.listeners) l(channel, payload);
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  addVm(name: string, patch: Partial<VmInfo> = {}, changes: Change[] = []): FakeVm {
    const info: VmInfo = {
      name,
      id: `vm${this.nextId++}`,
      state: 'stopped',
      sizeBytes: changes.reduce((n, c) => n + c.size, 0),
      created: '2026-11-24T08:00:00.000Z',
      processCount: 0,
      config: { network: 'private', rules: [], preset: 'default', hostname: null },
      path: `/home/user/.local/share/fvm/vms/vm${this.nextId - 1}`,
      initPid: null,
      commits: 0,
      ...patch,
    };
    const vm: FakeVm = { info, changes, processes: [], registry: new FakeVmRegistry(this.hostRegistry) };
    this.vms.set(name, vm);
    return vm;
  }

  private find(name: string): FakeVm {
    const vm = this.vms.get(name);
    if (!vm) throw new FvmError('VM_NOT_FOUND', `no VM named '${name}'`, 'See `fvm list` for the VMs.');
    return vm;
  }

  private setState(vm: FakeVm, state: VmInfo['state']): void {
    vm.info = { ...vm.info, state, initPid: state === 'stopped' ? null : (vm.info.initPid ?? this.nextPid++) };
    if (state === 'stopped') vm.processes = [];
    vm.info = { ...vm.info, processCount: vm.processes.length };
    this.emit('vm:state', { vm: vm.info.name, state });
  }

  private wait(): Promise<void> {
    const ms = this.options.stepMs ?? 0;
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async invoke<K extends OperationName>(op: K, input: OperationInput<K>): Promise<OperationResult<K>> {
    this.calls.push({ op, input });
    return (await this.run(op, input)) as OperationResult<K>;
  }

  private async run(op: OperationName, raw: unknown): Promise<unknown> {
    const input = raw as { name: string };
    switch (op) {
      case 'vm:list':
        return { vms: [...this.vms.values()].map(({ info: { config: _c, path: _p, initPid: _i, commits: _k, ...summary } }) => summary) };
      case 'vm:info':
        return this.find(input.name).info;
      case 'vm:create': {
        const i = raw as OperationInput<'vm:create'>;
        if (this.vms.has(i.name)) throw new FvmError('VM_EXISTS', `VM '${i.name}' exists already`, 'Choose another name.');
        const vm = this.addVm(i.name, {
          config: { network: i.network ?? 'private', rules: i.rules ?? [], preset: i.preset ?? 'default', hostname: i.hostname ?? null },
          created: new Date().toISOString(),
        });
        this.emit('vm:state', { vm: i.name, state: 'stopped' });
        return vm.info;
      }
      case 'vm:run':
        return this.runProgram(raw as OperationInput<'vm:run'>);
      case 'vm:ps': {
        const names = input.name ? [input.name] : [...this.vms.keys()];
        return { processes: names.flatMap((n) => this.find(n).processes) };
      }
      case 'vm:suspend': {
        const vm = this.find(input.name);
        if (vm.info.state === 'stopped') throw new FvmError('VM_NOT_RUNNING', `VM '${vm.info.name}' is not running`, 'Run a program in it first.');
        this.setState(vm, 'suspended');
        return vm.info;
      }
      case 'vm:resume': {
        const vm = this.find(input.name);
        if (vm.info.state === 'stopped') throw new FvmError('VM_NOT_RUNNING', `VM '${vm.info.name}' is not running`, 'Only a suspended VM can be resumed.');
        this.setState(vm, 'running');
        return vm.info;
      }
      case 'vm:stop': {
        const vm = this.find(input.name);
        if (vm.info.state !== 'stopped') this.setState(vm, 'stopped');
        return vm.info;
      }
      case 'vm:diff': {
        const vm = this.find(input.name);
        return { changes: vm.changes, registry: vm.registry.diff() };
      }
      case 'vm:commit': {
        const c = raw as OperationInput<'vm:commit'>;
        const vm = this.find(c.name);
        if (vm.processes.length > 1) throw new FvmError('VM_RUNNING', `cannot commit VM '${c.name}' while programs run in it`, `Stop it first: fvm stop ${c.name}`);
        // As the engine: `keys` alone commits no file, `paths` alone no registry key.
        const files = c.keys === undefined || c.paths !== undefined;
        const registry = c.paths === undefined || c.keys !== undefined ? vm.registry.commit(c.keys, !!c.dryRun) : [];
        const wanted = c.paths ? new Set(c.paths) : null;
        const applied = files ? vm.changes.filter((ch) => !wanted || wanted.has(ch.path)) : [];
        for (let i = 1; i <= 4; i++) {
          await this.wait();
          this.emit('op:progress', { vm: c.name, op: 'commit', done: Math.round((applied.length * i) / 4), total: applied.length });
        }
        if (!c.dryRun) {
          vm.changes = vm.changes.filter((ch) => !applied.includes(ch));
          vm.info = { ...vm.info, commits: vm.info.commits + 1 };
        }
        return { commit: c.dryRun ? null : vm.info.commits, dryRun: !!c.dryRun, applied, registry };
      }
      case 'vm:uncommit': {
        const vm = this.find(input.name);
        if (vm.info.commits === 0) throw new FvmError('NOTHING_TO_UNCOMMIT', `VM '${vm.info.name}' has no commit to undo`, 'Nothing to do.');
        vm.info = { ...vm.info, commits: vm.info.commits - 1 };
        return { commit: vm.info.commits + 1, restored: 1, registryHives: 0 };
      }
      case 'vm:copy': {
        const c = raw as OperationInput<'vm:copy'>;
        const src = this.find(c.source);
        if (this.vms.has(c.target)) throw new FvmError('VM_EXISTS', `VM '${c.target}' exists already`, 'Choose another name.');
        for (let i = 1; i <= 3; i++) {
          await this.wait();
          this.emit('op:progress', { vm: c.source, op: 'copy', done: i, total: 3 });
        }
        const copy = this.addVm(c.target, { config: src.info.config, sizeBytes: src.info.sizeBytes, created: new Date().toISOString() }, [...src.changes]);
        copy.registry = src.registry.copy();
        this.emit('vm:state', { vm: c.target, state: 'stopped' });
        return copy.info;
      }
      case 'vm:delete': {
        const vm = this.find(input.name);
        await this.wait();
        this.vms.delete(vm.info.name);
        this.emit('vm:state', { vm: vm.info.name, state: 'deleted' });
        return { name: vm.info.name };
      }
      case 'vm:export': {
        const e = raw as OperationInput<'vm:export'>;
        const vm = this.find(e.name);
        if (vm.info.state !== 'stopped') throw new FvmError('VM_RUNNING', `cannot export VM '${e.name}' while it runs`, `Stop it first: fvm stop ${e.name}`);
        const bytes = vm.changes.reduce((n, c) => n + c.size, 0);
        for (let i = 1; i <= 2; i++) {
          await this.wait();
          this.emit('op:progress', { vm: e.name, op: 'export', done: (bytes * i) / 2, total: bytes });
        }
        return { name: e.name, file: e.file, bytes, entries: vm.changes.length, skipped: [] };
      }
      case 'vm:import': {
        const i = raw as OperationInput<'vm:import'>;
        const name = i.name ?? path.basename(i.file).replace(/\.fvm$/, '');
        if (this.vms.has(name)) throw new FvmError('VM_EXISTS', `VM '${name}' exists already`, 'Import it under another name.');
        await this.wait();
        const vm = this.addVm(name, { created: new Date().toISOString() });
        this.emit('vm:state', { vm: name, state: 'stopped' });
        return {
          vm: vm.info,
          file: i.file,
          source: { user: 'user', uid: 1000, home: '/home/user', hostname: 'elsewhere', kernel: '6.1.0', distribution: 'Debian GNU/Linux 12', exported: '2026-11-24T08:00:00.000Z' },
          relocation: null,
          entries: 0,
          bytes: 0,
        };
      }
      case 'vm:report': {
        // The real classification over the fake changes; the fake knows no file's mode or bytes.
        const vm = this.find(input.name);
        return buildReport({ vm: vm.info.name, state: vm.info.state, changes: vm.changes, registry: vm.registry.diff(), processes: vm.processes, home: '/home/user', envPath: '/usr/local/bin:/usr/bin:/bin', probe: BLIND_PROBE });
      }
      case 'reg:query': {
        const q = raw as OperationInput<'reg:query'>;
        return this.find(q.name).registry.query(q);
      }
      case 'reg:add': {
        const a = raw as OperationInput<'reg:add'>;
        return this.find(a.name).registry.add(a);
      }
      case 'reg:delete': {
        const d = raw as OperationInput<'reg:delete'>;
        return this.find(d.name).registry.delete(d);
      }
      case 'reg:diff': {
        const d = raw as OperationInput<'reg:diff'>;
        return { changes: this.find(d.name).registry.diff(d.includeNoise) };
      }
      case 'reg:export': {
        const e = raw as OperationInput<'reg:export'>;
        const keys = this.find(e.name).registry.query({ key: e.key, view: e.view }).keys.length;
        return { prefix: e.prefix ?? FAKE_PREFIX, file: e.file, keys };
      }
      case 'reg:import': {
        const i = raw as OperationInput<'reg:import'>;
        this.find(i.name);
        return { prefix: i.prefix ?? FAKE_PREFIX, keys: 0, values: 0 };
      }
      case 'app:doctor':
        return { ok: true, checks: [] };
    }
    throw new FvmError('INVALID_ARGUMENT', `unknown operation '${op}'`);
  }

  /** Pretends the program starts, prints, writes files under /tmp/fake/ and exits 0. */
  private runProgram(input: OperationInput<'vm:run'>): unknown {
    const vm = this.find(input.name);
    if (vm.info.state === 'suspended') throw new FvmError('VM_SUSPENDED', `VM '${input.name}' is suspended`, `Resume it first: fvm resume ${input.name}`);
    if (vm.info.state === 'stopped') {
      this.setState(vm, 'running');
      vm.processes = [{ vm: input.name, pid: vm.info.initPid ?? 1, ppid: 1, vmPid: 1, cmd: 'fvm-init', state: 'S' }];
    }
    const pid = this.nextPid++;
    const runId = `run-${pid}`;
    const cmd = input.command.join(' ');
    const initPid = vm.info.initPid ?? 1;
    vm.processes.push({ vm: input.name, pid, ppid: initPid, vmPid: vm.processes.length + 1, cmd, state: 'S' });
    this.emit('process:started', { vm: input.name, pid, cmd, runId });
    void (async () => {
      await this.wait();
      this.emit('process:output', { vm: input.name, runId, stream: 'stdout', data: `$ ${cmd}\n` });
      const written: Change[] = [1, 2, 3].map((n) => ({ kind: 'added', path: `/tmp/fake/${runId}/file-${n}.txt`, type: 'file', size: 100 * n }));
      for (const change of written) {
        await this.wait();
        vm.changes.push(change);
        this.emit('fs:changed', { vm: input.name, changes: [change] });
      }
      this.emit('process:output', { vm: input.name, runId, stream: 'stderr', data: 'warning: this is only a fake engine\n' });
      await this.wait();
      // A Windows program leaves keys in the VM's registry, and Wine its own noise.
      if (input.command[0] === 'wine') {
        vm.registry.add({ key: `HKCU\\Software\\Fake Vendor\\${runId}`, value: { name: 'InstallDir', type: 'REG_SZ', data: 'C:\\Program Files\\Fake' } });
        vm.registry.noisy = true;
      }
      vm.processes = vm.processes.filter((p) => p.pid !== pid);
      this.emit('process:exited', { vm: input.name, pid, status: 0, runId });
    })();
    return { vm: input.name, runId, pid };
  }
}

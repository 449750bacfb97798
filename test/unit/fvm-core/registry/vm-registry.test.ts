import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VmRegistry, type VmFileWriter } from '../../../../src/fvm-core/registry/vm-registry.js';
import type { VmWineServer } from '../../../../src/fvm-core/registry/wine-servers.js';
import { vmPaths, type VmPaths } from '../../../../src/fvm-core/repository.js';
import { upperPathOf } from '../../../../src/redirect/host-path.js';
import { parseWineReg } from '../../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../../src/registry/wine-reg-serializer.js';
import { editHive } from '../../../../src/registry/hive-edit.js';
import { getKey } from '../../../../src/registry/reg-index.js';
import { stringValue } from '../../../../src/registry/reg-model.js';
import type { FvmError } from '../../../../src/shared/errors.js';
import { fixtureText } from '../../registry/fixture-files.js';

const T = 133_000_000_000_000_000n;

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as FvmError).code;
  }
  return 'no error';
}

/** A VM on disk without mounts: its upper tree is written directly, as Wine's saves would land there. */
class FakeVm {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-vmreg-'));
  readonly home = path.join(this.root, 'home');
  readonly prefix = path.join(this.home, '.wine');
  readonly p: VmPaths = vmPaths(path.join(this.root, 'store'), 'vm1');
  servers: VmWineServer[] = [];
  writes: string[] = [];
  readonly reg: VmRegistry;

  constructor() {
    fs.mkdirSync(this.prefix, { recursive: true });
    fs.writeFileSync(path.join(this.prefix, 'user.reg'), fixtureText('fresh-settled/user.reg'));
    for (const d of [this.p.fs, this.p.registry]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(this.p.manifest, JSON.stringify({ layers: [] }));
    this.reg = new VmRegistry(this.p, this.home, () => this.servers);
  }

  hostFile(name = 'user.reg'): string {
    return path.join(this.prefix, name);
  }

  vmFile(name = 'user.reg'): string {
    return upperPathOf(this.p.fs, this.hostFile(name));
  }

  /** Writes like Wine (new inode by rename), into the VM's upper tree. */
  readonly writer: VmFileWriter = async (hostPath, bytes) => {
    this.writes.push(hostPath);
    const up = upperPathOf(this.p.fs, hostPath);
    fs.mkdirSync(path.dirname(up), { recursive: true });
    fs.writeFileSync(`${up}.tmp`, bytes);
    fs.renameSync(`${up}.tmp`, up);
  };

  /** What Wine in the VM would save after changing the VM's view. */
  wineWrites(edit: (text: string) => string): void {
    const cur = fs.existsSync(this.vmFile()) ? fs.readFileSync(this.vmFile(), 'utf8') : fs.readFileSync(this.hostFile(), 'utf8');
    fs.mkdirSync(path.dirname(this.vmFile()), { recursive: true });
    fs.writeFileSync(`${this.vmFile()}.tmp`, edit(cur));
    fs.renameSync(`${this.vmFile()}.tmp`, this.vmFile());
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

function addKey(text: string, key: string, name: string, data: string): string {
  const hive = parseWineReg(text);
  return serializeWineReg(editHive(hive, [{ kind: 'key', path: key.split('\\'), set: [stringValue(name, data)], remove: [] }], T));
}

describe('VmRegistry', () => {
  let vm: FakeVm;
  beforeEach(() => {
    vm = new FakeVm();
  });
  afterEach(() => vm.cleanup());

  it('leaves the host file to the VM while the VM changed nothing', async () => {
    await vm.reg.beforeRun([], vm.writer);
    expect(vm.writes).toEqual([]);
    expect(vm.reg.diff()).toEqual([]);
    expect(vm.reg.prefixes().map((r) => r.path)).toEqual([vm.prefix]);
  });

  it('harvests what Wine wrote, keeps the host untouched, and shows later host keys (key-level copy-on-write)', async () => {
    const hostBefore = fs.readFileSync(vm.hostFile());
    vm.reg.follow(vm.prefix);
    vm.wineWrites((t) => addKey(t, 'Software\\FvmTest', 'A', '1'));
    vm.reg.afterRun();
    expect(vm.reg.diff().map((c) => `${c.kind} ${c.key} ${c.value ?? ''}`.trim())).toEqual(['added HKCU\\Software\\FvmTest', 'added HKCU\\Software\\FvmTest A']);
    expect(fs.readFileSync(vm.hostFile()).equals(hostBefore)).toBe(true);

    // The host gains a key; the VM's next run reads it beside its own.
    fs.writeFileSync(vm.hostFile(), addKey(hostBefore.toString('utf8'), 'Software\\HostLater', 'B', 'two'));
    await vm.reg.beforeRun([], vm.writer);
    expect(vm.writes).toEqual([vm.hostFile()]);
    const seen = parseWineReg(fs.readFileSync(vm.vmFile()));
    expect(getKey(seen, 'Software\\HostLater')?.values).toEqual([stringValue('B', 'two')]);
    expect(getKey(seen, 'Software\\FvmTest')?.values).toEqual([stringValue('A', '1')]);
    // Nothing changed since: no second write.
    await vm.reg.beforeRun([], vm.writer);
    expect(vm.writes.length).toBe(1);
    // The host key is not a change of the VM.
    expect(vm.reg.diff().some((c) => c.key.includes('HostLater'))).toBe(false);
  });

  it('add, delete, query, export and import act on the delta only', async () => {
    const hostBefore = fs.readFileSync(vm.hostFile());
    vm.reg.add({ key: 'HKCU\\Software\\Cli\\Deep', value: { name: 'N', type: 'REG_DWORD', data: '42' } });
    vm.reg.add({ key: 'HKCU\\Software\\Cli', value: { name: '', type: 'REG_SZ', data: 'default' } });
    const q = vm.reg.query({ key: 'hkcu\\software\\cli', recursive: true });
    expect(q.keys.map((k) => k.key)).toEqual(['HKCU\\Software\\Cli', 'HKCU\\Software\\Cli\\Deep']);
    expect(q.keys[1].values).toEqual([{ name: 'N', type: 'REG_DWORD', data: '0x0000002a (42)' }]);
    const file = path.join(vm.root, 'cli.reg');
    expect(vm.reg.exportKey({ key: 'HKCU\\Software\\Cli', file }).keys).toBe(2);

    vm.reg.delete({ key: 'HKCU\\Software\\Cli' });
    expect(errCode(() => vm.reg.query({ key: 'HKCU\\Software\\Cli' }))).toBe('REGISTRY_KEY_NOT_FOUND');
    // A host key deleted in the VM: logged, gone from the view.
    vm.reg.delete({ key: 'HKCU\\Control Panel\\Desktop' });
    expect(errCode(() => vm.reg.query({ key: 'HKCU\\Control Panel\\Desktop' }))).toBe('REGISTRY_KEY_NOT_FOUND');
    expect(vm.reg.diff()).toContainEqual({ prefix: vm.prefix, kind: 'deleted', key: 'HKCU\\Control Panel\\Desktop' });

    const imported = vm.reg.importFile({ file });
    expect(imported).toEqual({ prefix: vm.prefix, keys: 2, values: 2 });
    expect(vm.reg.query({ key: 'HKCU\\Software\\Cli\\Deep' }).keys[0].values[0].data).toBe('0x0000002a (42)');
    expect(fs.readFileSync(vm.hostFile()).equals(hostBefore)).toBe(true);

    // An invalid file changes nothing.
    const bad = path.join(vm.root, 'bad.reg');
    fs.writeFileSync(bad, 'REGEDIT4\n\n[HKEY_NOWHERE\\X]\n"a"="b"\n');
    const before = vm.reg.diff();
    expect(errCode(() => vm.reg.importFile({ file: bad }))).not.toBe('no error');
    expect(vm.reg.diff()).toEqual(before);
  });

  it('refuses writes while a wineserver in the VM serves the prefix, and leaves its files alone', async () => {
    vm.reg.follow(vm.prefix);
    vm.servers = [{ pid: 1, prefix: vm.prefix }];
    expect(errCode(() => vm.reg.add({ key: 'HKCU\\Software\\X' }))).toBe('REGISTRY_BUSY');
    vm.wineWrites((t) => addKey(t, 'Software\\Busy', 'a', 'b'));
    expect(vm.reg.harvest(vm.reg.prefixFor())).toEqual([]);
    await vm.reg.beforeRun([], vm.writer);
    expect(vm.writes).toEqual([]);
    vm.servers = [];
    expect(vm.reg.harvest(vm.reg.prefixFor())).toEqual(['user.reg']);
  });

  it('names a missing prefix with REGISTRY_NO_PREFIX and follows WINEPREFIX prefixes', async () => {
    expect(errCode(() => vm.reg.query({ key: 'HKCU\\Software', prefix: path.join(vm.root, 'nowhere') }))).toBe('REGISTRY_NO_PREFIX');
    const other = path.join(vm.root, 'other-prefix');
    fs.mkdirSync(other);
    fs.copyFileSync(vm.hostFile(), path.join(other, 'user.reg'));
    await vm.reg.beforeRun([other], vm.writer);
    expect(vm.reg.prefixes().map((r) => r.path)).toEqual([vm.prefix, other]);
    expect(vm.reg.query({ key: 'HKCU\\Software', prefix: other }).prefix).toBe(other);
  });

  it('never follows a symlink the VM put in its upper tree', () => {
    vm.reg.follow(vm.prefix);
    fs.mkdirSync(path.dirname(vm.vmFile()), { recursive: true });
    const secret = path.join(vm.root, 'secret');
    fs.writeFileSync(secret, 'not a hive');
    fs.symlinkSync(secret, vm.vmFile());
    // The VM's user.reg is a symlink: not a hive FVM reads; the view falls back to nothing.
    expect(vm.reg.harvest(vm.reg.prefixFor())).toEqual([]);
  });
  it('leaves a hive the VM garbled alone: runs go on, reg commands name the file', async () => {
    vm.reg.follow(vm.prefix);
    vm.wineWrites(() => 'not a hive\n');
    await vm.reg.beforeRun([], vm.writer);
    vm.reg.afterRun();
    expect(vm.writes).toEqual([]);
    expect(errCode(() => vm.reg.query({ key: 'HKCU\\Software' }))).toBe('REGISTRY_PARSE');
  });

  it('lists the keys of a prefix made in the VM only when it is named', () => {
    const made = path.join(vm.home, 'made-in-vm');
    const up = upperPathOf(vm.p.fs, path.join(made, 'user.reg'));
    fs.mkdirSync(path.dirname(up), { recursive: true });
    fs.writeFileSync(up, addKey(fixtureText('fresh-settled/user.reg'), 'Software\\New', 'n', '1'));
    vm.reg.follow(made);
    expect(vm.reg.diff()).toEqual([]);
    const named = vm.reg.diff({ prefix: made });
    expect(named.length).toBeGreaterThan(10);
    expect(named.some((c) => c.key === 'HKCU\\Software\\New')).toBe(true);
  });
  it('lists the roots of the hives, and HKU as its two users', () => {
    vm.reg.follow(vm.prefix);
    const root = vm.reg.query({ key: 'hkcu' }).keys[0];
    expect(root.key).toBe('HKCU');
    expect(root.subkeys).toContain('Software');
    expect(vm.reg.query({ key: 'HKU' }).keys[0].subkeys).toEqual(['.Default', 'S-1-5-21-0-0-0-1000']);
    expect(vm.reg.query({ key: 'HKU\\S-1-5-21-0-0-0-1000' }).keys[0].subkeys).toContain('Software');
  });
});

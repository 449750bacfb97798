import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, OPERATIONS } from '../../../src/shared/contract.js';
import type { EventChannel, OperationName } from '../../../src/shared/contract.js';
import { listenerName, methodName } from '../../../src/shared/bridge.js';
import { toErrorData } from '../../../src/shared/errors.js';
import type { RegistryChange, VmInfo } from '../../../src/shared/types.js';
import type { Bridge } from '../../../renderer/bridge/bridge.js';
import type { AppStore } from '../../../renderer/store/app-state.js';
import { connectEvents } from '../../../renderer/store/events.js';
import { REGISTRY_REFRESH_MS } from '../../../renderer/store/registry-slice.js';
import { createAppStore } from '../../../renderer/store/store.js';
import { createFakeBridge, fail, ok } from '../../helpers/fake-bridge.js';
import type { FakeBridge } from '../../helpers/fake-bridge.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

const PREFIX = '/home/u/.wine';

function info(name: string): VmInfo {
  return {
    name,
    id: name,
    state: 'stopped',
    sizeBytes: 0,
    created: '2026-11-24T08:00:00.000Z',
    processCount: 0,
    config: { network: 'none', rules: [], preset: 'default', hostname: null },
    path: `/fvm/${name}`,
    initPid: null,
    commits: 0,
  };
}

const keyAdded = (key: string): RegistryChange => ({ prefix: PREFIX, kind: 'added', key });
const valueAdded = (key: string, value: string, data: string): RegistryChange => ({ prefix: PREFIX, kind: 'added', key, value, after: { name: value, type: 'REG_SZ', data } });
const DEMO: RegistryChange[] = [
  { prefix: PREFIX, kind: 'modified', key: 'HKCU\\Control Panel\\Desktop', value: 'Wallpaper', before: { name: 'Wallpaper', type: 'REG_SZ', data: '' }, after: { name: 'Wallpaper', type: 'REG_SZ', data: 'x' } },
  keyAdded('HKCU\\Software\\Demo\\Sub'),
  keyAdded('HKCU\\Software\\Demo'),
  valueAdded('HKCU\\Software\\Demo', 'A', '1'),
];

let fake: FakeBridge;
let store: AppStore;
let disconnect: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeBridge();
  fake.answer('vm:list', ok({ vms: [info('dev')] }));
  fake.answer('vm:info', (input: { name: string }) => ok(info(input.name)));
  fake.answer('vm:ps', ok({ processes: [] }));
  fake.answer('vm:diff', ok({ changes: [], registry: [] }));
  fake.answer('reg:diff', ok({ changes: DEMO }));
  fake.answer('reg:query', (input: { key: string }) => ok({ prefix: PREFIX, keys: [{ key: input.key, values: [{ name: 'A', type: 'REG_SZ', data: '1' }], subkeys: ['Sub'] }] }));
  store = createAppStore(fake.bridge);
  disconnect = connectEvents(fake.bridge, store);
  store.getState().selectVm('dev');
});

afterEach(() => {
  disconnect();
  store.setState(store.getInitialState(), true);
  vi.useRealTimers();
});

const registry = () => store.getState().registry;
const browse = () => store.getState().registryBrowse;

describe('registry changes', () => {
  it('loads when the Registry tab opens, grouped by key in tree order with their values', async () => {
    expect(fake.calls['reg:diff']).not.toHaveBeenCalled();
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    expect(fake.calls['reg:diff']).toHaveBeenCalledWith({ name: 'dev', includeNoise: false });
    expect(registry().changeCount).toBe(4);
    expect(registry().groups.map((g) => [g.key, g.kind, g.values.map((v) => v.value)])).toEqual([
      ['HKCU\\Control Panel\\Desktop', 'modified', ['Wallpaper']],
      ['HKCU\\Software\\Demo', 'added', ['A']],
      ['HKCU\\Software\\Demo\\Sub', 'added', []],
    ]);
  });

  it("asks for Wine's noise when the toggle is on", async () => {
    store.getState().setDetailTab('registry');
    store.getState().setRegistryNoise(true);
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    expect(fake.calls['reg:diff']).toHaveBeenLastCalledWith({ name: 'dev', includeNoise: true });
    expect(registry().includeNoise).toBe(true);
  });

  it('keeps the error with its hint', async () => {
    fake.answer('reg:diff', fail('VM_NOT_FOUND', "no VM named 'dev'", 'List the VMs with `fvm list`.'));
    await store.getState().loadRegistry();
    expect(registry()).toMatchObject({ status: 'error', error: { code: 'VM_NOT_FOUND', hint: 'List the VMs with `fvm list`.' } });
  });

  it('drops an answer for a VM that is no longer selected', async () => {
    let release!: () => void;
    fake.answer('reg:diff', () => new Promise((resolve) => (release = () => resolve(ok({ changes: DEMO })))));
    const pending = store.getState().loadRegistry();
    store.getState().selectVm('other');
    release();
    await pending;
    expect(registry()).toMatchObject({ vm: 'other', status: 'idle', groups: [] });
  });

  it('forgets a checked key the VM no longer changes', async () => {
    await store.getState().loadRegistry();
    store.getState().setRegistryKeys(['HKCU\\Software\\Demo', 'HKCU\\Control Panel\\Desktop'], true);
    fake.answer('reg:diff', ok({ changes: DEMO.slice(1) }));
    await store.getState().loadRegistry();
    expect([...registry().checked]).toEqual(['HKCU\\Software\\Demo']);
  });
});

describe('selective commit of registry keys', () => {
  beforeEach(async () => {
    await store.getState().loadRegistry();
    store.getState().toggleRegistryKey('HKCU\\Software\\Demo');
  });

  it('commits only the checked keys and no file, then shows what went and refreshes', async () => {
    const committed = DEMO.slice(1);
    fake.answer('vm:commit', ok({ commit: 3, dryRun: false, applied: [], registry: committed }));
    fake.answer('reg:diff', ok({ changes: DEMO.slice(0, 1) }));
    expect(await store.getState().commitRegistryKeys()).toBeNull();
    expect(fake.calls['vm:commit']).toHaveBeenCalledWith({ name: 'dev', keys: ['HKCU\\Software\\Demo'] });
    expect(registry().lastCommit).toEqual({ commit: 3, keys: ['HKCU\\Software\\Demo'], changes: committed });
    expect(registry().checked.size).toBe(0);
    await vi.waitFor(() => expect(registry().groups.map((g) => g.key)).toEqual(['HKCU\\Control Panel\\Desktop']));
    expect(store.getState().busy.dev).toBeUndefined();
    expect(store.getState().notices.at(-1)).toMatchObject({ tone: 'info', title: 'Committed to the host' });
  });

  it('answers REGISTRY_BUSY with its hint and keeps the selection', async () => {
    fake.answer('vm:commit', fail('REGISTRY_BUSY', 'a wineserver runs for /home/u/.wine on the host', 'Close the Wine programs using that prefix.'));
    const error = await store.getState().commitRegistryKeys();
    expect(error).toEqual({ code: 'REGISTRY_BUSY', message: 'a wineserver runs for /home/u/.wine on the host', hint: 'Close the Wine programs using that prefix.' });
    expect([...registry().checked]).toEqual(['HKCU\\Software\\Demo']);
    expect(registry().lastCommit).toBeNull();
    expect(store.getState().busy.dev).toBeUndefined();
  });

  it('refuses with nothing checked, without asking the engine', async () => {
    store.getState().clearRegistryKeys();
    expect(await store.getState().commitRegistryKeys()).toMatchObject({ code: 'USAGE' });
    expect(fake.calls['vm:commit']).not.toHaveBeenCalled();
  });
});

describe('refresh on the VM changing', () => {
  it('reloads after a run ends while the tab shows', async () => {
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    fake.push('process:exited', { vm: 'dev', pid: 7, status: 0 });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
  });

  it('marks the diff stale on another tab and reloads it when the tab opens again', async () => {
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    store.getState().setDetailTab('changes');
    fake.push('vm:state', { vm: 'dev', state: 'stopped' });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(1);
    expect(registry().stale).toBe(true);
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().stale).toBe(false));
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
  });

  it('ignores events of other VMs and a tab never opened', async () => {
    fake.push('process:exited', { vm: 'dev', pid: 7, status: 0 });
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    fake.push('process:exited', { vm: 'other', pid: 8, status: 0 });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(1);
  });

  it('reads once per burst of exits, and never while a read is under way', async () => {
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    let release!: () => void;
    fake.answer('reg:diff', () => new Promise((resolve) => (release = () => resolve(ok({ changes: DEMO })))));
    for (let pid = 10; pid < 40; pid++) fake.push('process:exited', { vm: 'dev', pid, status: 0 });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
    fake.push('process:exited', { vm: 'dev', pid: 41, status: 0 });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS * 3);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
    release();
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(3);
  });

  it('reloads when a wineserver saves a hive in the VM', async () => {
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    fake.push('fs:changed', { vm: 'dev', changes: [{ kind: 'modified', path: '/home/u/.wine/user.reg', type: 'file', size: 9 }] });
    await vi.advanceTimersByTimeAsync(REGISTRY_REFRESH_MS);
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
  });
});

describe('browse', () => {
  it('opens on HKCU\\Software in the Browse pane, then walks down one key at a time', async () => {
    store.getState().setDetailTab('registry');
    store.getState().setRegistryPane('browse');
    await vi.waitFor(() => expect(browse().status).toBe('ready'));
    expect(fake.calls['reg:query']).toHaveBeenCalledWith({ name: 'dev', key: 'HKCU\\Software', view: '64' });
    expect(browse()).toMatchObject({ path: 'HKCU\\Software', prefix: PREFIX, key: { subkeys: ['Sub'] } });
    await store.getState().browseRegistryKey('HKEY_CURRENT_USER\\Software\\Sub\\');
    expect(fake.calls['reg:query']).toHaveBeenLastCalledWith({ name: 'dev', key: 'HKCU\\Software\\Sub', view: '64' });
    expect(browse().path).toBe('HKCU\\Software\\Sub');
  });

  it('asks the engine for a hive root like any key', async () => {
    fake.answer('reg:query', ok({ prefix: PREFIX, keys: [{ key: 'HKU', values: [], subkeys: ['.Default', 'S-1-5-21-0-0-0-1000'] }] }));
    await store.getState().browseRegistryKey('HKU');
    expect(fake.calls['reg:query']).toHaveBeenLastCalledWith({ name: 'dev', key: 'HKU', view: '64' });
    expect(browse()).toMatchObject({ status: 'ready', error: null, key: { subkeys: ['.Default', 'S-1-5-21-0-0-0-1000'] } });
  });

  it('shows a missing key and a VM without a prefix as errors with their hint', async () => {
    fake.answer('reg:query', fail('REGISTRY_KEY_NOT_FOUND', 'registry key not found: HKCU\\Software\\Nope', 'Check the path.'));
    await store.getState().browseRegistryKey('HKCU\\Software\\Nope');
    expect(browse()).toMatchObject({ status: 'error', key: null, error: { code: 'REGISTRY_KEY_NOT_FOUND', hint: 'Check the path.' } });
    fake.answer('reg:query', fail('REGISTRY_NO_PREFIX', 'the VM has no Wine prefix at /home/u/.wine', 'Run a Wine program in the VM first.'));
    await store.getState().browseRegistryKey('HKCU');
    expect(browse()).toMatchObject({ status: 'error', error: { code: 'REGISTRY_NO_PREFIX' } });
  });

  it('asks again in the 32-bit view', async () => {
    await store.getState().browseRegistryKey('HKLM\\Software');
    store.getState().setRegistryView('32');
    await vi.waitFor(() => expect(fake.calls['reg:query']).toHaveBeenLastCalledWith({ name: 'dev', key: 'HKLM\\Software', view: '32' }));
  });

  it('sets a value on the key shown, reloads the key, and has the diff read again when the Changes pane shows', async () => {
    store.getState().setDetailTab('registry');
    await vi.waitFor(() => expect(registry().status).toBe('ready'));
    store.getState().setRegistryPane('browse');
    await store.getState().browseRegistryKey('HKCU\\Software\\Demo');
    fake.answer('reg:add', ok({ prefix: PREFIX, key: 'HKCU\\Software\\Demo' }));
    expect(await store.getState().setRegistryValue({ name: 'N', type: 'REG_DWORD', data: '42' })).toBeNull();
    expect(fake.calls['reg:add']).toHaveBeenCalledWith({ name: 'dev', key: 'HKCU\\Software\\Demo', view: '64', value: { name: 'N', type: 'REG_DWORD', data: '42' } });
    expect(browse()).toMatchObject({ status: 'ready', keyPath: 'HKCU\\Software\\Demo' });
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(1);
    expect(registry().stale).toBe(true);
    store.getState().setRegistryPane('changes');
    await vi.waitFor(() => expect(registry()).toMatchObject({ status: 'ready', stale: false }));
    expect(fake.calls['reg:diff']).toHaveBeenCalledTimes(2);
  });

  it('keeps the last key on show while the next one loads', async () => {
    await store.getState().browseRegistryKey('HKCU\\Software');
    let release!: () => void;
    fake.answer('reg:query', () => new Promise((resolve) => (release = () => resolve(ok({ prefix: PREFIX, keys: [{ key: 'HKCU\\Software\\Sub', values: [], subkeys: [] }] })))));
    const pending = store.getState().browseRegistryKey('HKCU\\Software\\Sub');
    expect(browse()).toMatchObject({ status: 'loading', path: 'HKCU\\Software\\Sub', keyPath: 'HKCU\\Software', key: { subkeys: ['Sub'] } });
    release();
    await pending;
    expect(browse()).toMatchObject({ status: 'ready', keyPath: 'HKCU\\Software\\Sub', key: { subkeys: [] } });
  });

  it('returns an edit refused by the engine, and changes nothing', async () => {
    await store.getState().browseRegistryKey('HKCU\\Software\\Demo');
    fake.answer('reg:add', fail('REGISTRY_BUSY', 'cannot change the registry of /home/u/.wine while a Wine program runs for it in the VM', 'Wait for the Wine programs to end.'));
    expect(await store.getState().setRegistryValue({ name: 'N', type: 'REG_SZ', data: 'x' })).toMatchObject({ code: 'REGISTRY_BUSY', hint: 'Wait for the Wine programs to end.' });
    expect(fake.calls['reg:query']).toHaveBeenCalledTimes(1);
  });

  it('creates a key and shows it; deleting the key shown goes up to its parent', async () => {
    fake.answer('reg:add', ok({ prefix: PREFIX, key: 'HKCU\\Software\\New' }));
    expect(await store.getState().createRegistryKey('HKCU\\Software\\New')).toBeNull();
    expect(fake.calls['reg:add']).toHaveBeenCalledWith({ name: 'dev', key: 'HKCU\\Software\\New', view: '64' });
    expect(browse().path).toBe('HKCU\\Software\\New');
    fake.answer('reg:delete', ok({ prefix: PREFIX, key: 'HKCU\\Software\\New' }));
    expect(await store.getState().deleteRegistryEntry('HKCU\\Software\\New')).toBeNull();
    expect(fake.calls['reg:delete']).toHaveBeenCalledWith({ name: 'dev', key: 'HKCU\\Software\\New', view: '64' });
    expect(browse().path).toBe('HKCU\\Software');
  });

  it('deletes one value and stays on its key', async () => {
    await store.getState().browseRegistryKey('HKCU\\Software\\Demo');
    fake.answer('reg:delete', ok({ prefix: PREFIX, key: 'HKCU\\Software\\Demo', value: 'A' }));
    expect(await store.getState().deleteRegistryEntry('HKCU\\Software\\Demo', 'A')).toBeNull();
    expect(fake.calls['reg:delete']).toHaveBeenCalledWith({ name: 'dev', key: 'HKCU\\Software\\Demo', view: '64', value: 'A' });
    expect(browse().path).toBe('HKCU\\Software\\Demo');
  });
});

/** The store over the fake engine, as window.fvm would carry it (errors as data). */
function engineBridge(engine: FakeEngine): Bridge {
  const api: Record<string, unknown> = { transport: 'browser', ready: () => undefined };
  for (const op of OPERATIONS) {
    api[methodName(op)] = async (input: unknown) => {
      try {
        return { ok: true, value: await engine.invoke(op as OperationName, input as never) };
      } catch (err) {
        return { ok: false, error: toErrorData(err) };
      }
    };
  }
  for (const channel of EVENT_CHANNELS) {
    api[listenerName(channel)] = (listener: (payload: unknown) => void) => engine.onEvent((c: EventChannel, payload) => c === channel && listener(payload));
  }
  return api as unknown as Bridge;
}

describe('against the fake engine', () => {
  it('a value added while browsing shows up in the changes, and a selective commit reaches only the host registry', async () => {
    vi.useRealTimers();
    const engine = new FakeEngine();
    engine.addVm('win');
    const s = createAppStore(engineBridge(engine));
    s.getState().selectVm('win');

    await s.getState().createRegistryKey('HKCU\\Software\\Keep');
    expect(await s.getState().setRegistryValue({ name: 'Greeting', type: 'REG_SZ', data: 'hello' })).toBeNull();
    expect(s.getState().registryBrowse.key?.values).toEqual([{ name: 'Greeting', type: 'REG_SZ', data: 'hello' }]);
    await s.getState().createRegistryKey('HKCU\\Software\\Other');

    await s.getState().loadRegistry();
    expect(s.getState().registry.groups.map((g) => [g.kind, g.key, g.values.length])).toEqual([
      ['added', 'HKCU\\Software\\Keep', 1],
      ['added', 'HKCU\\Software\\Other', 0],
    ]);

    s.getState().toggleRegistryKey('HKCU\\Software\\Keep');
    expect(await s.getState().commitRegistryKeys()).toBeNull();
    expect(engine.hostRegistry.tree.get('hkcu\\software\\keep')?.values.get('greeting')).toEqual({ name: 'Greeting', type: 'REG_SZ', data: 'hello' });
    expect(engine.hostRegistry.tree.has('hkcu\\software\\other')).toBe(false);
    await vi.waitFor(() => expect(s.getState().registry.groups.map((g) => g.key)).toEqual(['HKCU\\Software\\Other']));
    expect(s.getState().registry.lastCommit?.keys).toEqual(['HKCU\\Software\\Keep']);
  });

  it('lists a root like the real engine', async () => {
    vi.useRealTimers();
    const engine = new FakeEngine();
    engine.addVm('win');
    const s = createAppStore(engineBridge(engine));
    s.getState().selectVm('win');
    await s.getState().browseRegistryKey('HKLM');
    expect(s.getState().registryBrowse).toMatchObject({ status: 'ready', key: { key: 'HKLM', subkeys: ['Software'] } });
    s.getState().setRegistryView('32');
    await s.getState().browseRegistryKey('HKLM\\Software');
    expect(s.getState().registryBrowse.key?.key).toBe('HKLM\\Software\\Wow6432Node');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VmInfo, VmSummary } from '../../../src/shared/types.js';
import { EVENT_CHANNELS } from '../../../src/shared/contract.js';
import type { AppStore } from '../../../renderer/store/app-state.js';
import { connectEvents } from '../../../renderer/store/events.js';
import { createAppStore } from '../../../renderer/store/store.js';
import { createFakeBridge, fail, ok } from '../../helpers/fake-bridge.js';
import type { FakeBridge } from '../../helpers/fake-bridge.js';

function summary(name: string, patch: Partial<VmSummary> = {}): VmSummary {
  return { name, id: `id-${name}`, state: 'stopped', sizeBytes: 0, created: '2026-11-24T08:00:00.000Z', processCount: 0, ...patch };
}

function info(name: string, patch: Partial<VmInfo> = {}): VmInfo {
  return {
    ...summary(name),
    config: { network: 'private', rules: [], preset: 'default', hostname: null },
    path: `/fvm/vms/${name}`,
    initPid: null,
    commits: 0,
    ...patch,
  };
}

let fake: FakeBridge;
let store: AppStore;

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeBridge();
  fake.answer('vm:list', ok({ vms: [summary('zeta'), summary('alpha')] }));
  fake.answer('vm:info', (input: { name: string }) => ok(info(input.name)));
  fake.answer('vm:ps', ok({ processes: [] }));
  fake.answer('vm:diff', ok({ changes: [], registry: [] }));
  store = createAppStore(fake.bridge);
});

afterEach(() => {
  store.setState(store.getInitialState(), true);
  vi.useRealTimers();
});

describe('VM list', () => {
  it('loads the list sorted by name', async () => {
    await store.getState().refreshVms();
    expect(store.getState().vmsStatus).toBe('ready');
    expect(store.getState().vms.map((v) => v.name)).toEqual(['alpha', 'zeta']);
  });

  it('keeps the error of a failed load', async () => {
    fake.answer('vm:list', fail('REPOSITORY_CORRUPT', 'repo.json is not JSON', 'Restore it from a backup.'));
    await store.getState().refreshVms();
    expect(store.getState().vmsStatus).toBe('error');
    expect(store.getState().vmsError).toEqual({ code: 'REPOSITORY_CORRUPT', message: 'repo.json is not JSON', hint: 'Restore it from a backup.' });
  });

  it('coalesces refreshes asked for while one runs', async () => {
    const first = store.getState().refreshVms();
    void store.getState().refreshVms();
    void store.getState().refreshVms();
    await first;
    expect(fake.calls['vm:list']).toHaveBeenCalledTimes(2);
  });

  it('schedules one refresh for a burst of requests', async () => {
    for (let i = 0; i < 5; i++) store.getState().scheduleRefreshVms(300);
    await vi.advanceTimersByTimeAsync(300);
    expect(fake.calls['vm:list']).toHaveBeenCalledTimes(1);
  });

  it('drops the selection when the selected VM is gone from a refresh', async () => {
    await store.getState().refreshVms();
    store.getState().selectVm('zeta');
    fake.answer('vm:list', ok({ vms: [summary('alpha')] }));
    await store.getState().refreshVms();
    expect(store.getState().selectedVm).toBeNull();
  });

  it('polls while a VM runs, stops polling when all are stopped', async () => {
    fake.answer('vm:list', ok({ vms: [summary('alpha', { state: 'running' })] }));
    await store.getState().refreshVms();
    fake.answer('vm:list', ok({ vms: [summary('alpha')] }));
    await vi.advanceTimersByTimeAsync(4000);
    expect(fake.calls['vm:list']).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(20000);
    expect(fake.calls['vm:list']).toHaveBeenCalledTimes(2);
  });
});

describe('lifecycle actions', () => {
  it('creates a VM, adds it to the list and selects it', async () => {
    fake.answer('vm:create', (input: { name: string }) => ok(info(input.name)));
    const error = await store.getState().createVm({ name: 'fresh', network: 'none' });
    expect(error).toBeNull();
    expect(fake.calls['vm:create']).toHaveBeenCalledWith({ name: 'fresh', network: 'none' });
    expect(store.getState().vms.map((v) => v.name)).toContain('fresh');
    expect(store.getState().selectedVm).toBe('fresh');
  });

  it('returns a failed create to the dialog and selects nothing', async () => {
    fake.answer('vm:create', fail('VM_EXISTS'));
    const error = await store.getState().createVm({ name: 'alpha' });
    expect(error).toMatchObject({ code: 'VM_EXISTS', hint: 'hint for VM_EXISTS' });
    expect(store.getState().selectedVm).toBeNull();
  });

  it('runs the file after creating when asked; a failed run becomes a notice, not a failed create', async () => {
    fake.answer('vm:create', (input: { name: string }) => ok(info(input.name)));
    fake.answer('vm:run', fail('LAUNCH_FAILED', 'cannot run wine', 'Install wine.'));
    const error = await store.getState().createVm({ name: 'msi' }, { command: ['wine', 'msiexec', '/i', '/tmp/a.msi'] });
    expect(error).toBeNull();
    expect(fake.calls['vm:run']).toHaveBeenCalledWith({ name: 'msi', command: ['wine', 'msiexec', '/i', '/tmp/a.msi'] });
    expect(store.getState().notices).toEqual([expect.objectContaining({ tone: 'error', code: 'LAUNCH_FAILED', hint: 'Install wine.' })]);
  });

  it('run selects the VM and shows its processes', async () => {
    fake.answer('vm:run', ok({ vm: 'alpha', runId: 'r1', pid: 10 }));
    store.getState().setDetailTab('settings');
    expect(await store.getState().runInVm('alpha', { command: ['/bin/sh', '-c', 'ls'] })).toBeNull();
    expect(store.getState().selectedVm).toBe('alpha');
    expect(store.getState().detailTab).toBe('processes');
  });

  it('marks the VM busy while suspending and applies the answer', async () => {
    await store.getState().refreshVms();
    let release!: () => void;
    fake.answer('vm:suspend', () => new Promise((resolve) => (release = () => resolve(ok(info('alpha', { state: 'suspended' }))))));
    const pending = store.getState().suspendVm('alpha');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().busy.alpha).toEqual({ label: 'Suspending', done: 0, total: 0 });
    release();
    await pending;
    expect(store.getState().busy.alpha).toBeUndefined();
    expect(store.getState().vms.find((v) => v.name === 'alpha')?.state).toBe('suspended');
  });

  it('reports a failed resume as a notice with code and hint', async () => {
    fake.answer('vm:resume', fail('VM_NOT_RUNNING', "VM 'alpha' is not running", 'Only a suspended VM can be resumed.'));
    await store.getState().resumeVm('alpha');
    expect(store.getState().notices).toEqual([
      expect.objectContaining({ title: 'Resume alpha', code: 'VM_NOT_RUNNING', message: "VM 'alpha' is not running", hint: 'Only a suspended VM can be resumed.' }),
    ]);
  });

  it('copies and selects the copy; fills the progress bar from op:progress meanwhile', async () => {
    await store.getState().refreshVms();
    let release!: () => void;
    fake.answer('vm:copy', () => new Promise((resolve) => (release = () => resolve(ok(info('alpha-2'))))));
    const pending = store.getState().copyVm('alpha', 'alpha-2');
    await vi.advanceTimersByTimeAsync(0);
    store.getState().receiveProgress({ vm: 'alpha', op: 'copy', done: 3, total: 10 });
    expect(store.getState().busy.alpha).toEqual({ label: 'Copying to alpha-2', done: 3, total: 10 });
    release();
    expect(await pending).toBeNull();
    expect(store.getState().selectedVm).toBe('alpha-2');
  });

  it('ignores progress for a VM with no operation in flight', () => {
    store.getState().receiveProgress({ vm: 'alpha', op: 'commit', done: 1, total: 2 });
    expect(store.getState().busy).toEqual({});
  });

  it('deletes: the VM leaves the list and the selection', async () => {
    await store.getState().refreshVms();
    store.getState().selectVm('alpha');
    fake.answer('vm:delete', ok({ name: 'alpha' }));
    expect(await store.getState().deleteVm('alpha')).toBeNull();
    expect(store.getState().vms.map((v) => v.name)).toEqual(['zeta']);
    expect(store.getState().selectedVm).toBeNull();
  });

  it('returns a failed delete to its dialog', async () => {
    fake.answer('vm:delete', fail('VM_RUNNING'));
    expect(await store.getState().deleteVm('alpha')).toMatchObject({ code: 'VM_RUNNING' });
  });
});

describe('selection and detail', () => {
  it('loads the info of the selected VM', async () => {
    store.getState().selectVm('alpha');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().info?.name).toBe('alpha');
  });

  it('drops an info answer that arrives after another VM was selected', async () => {
    let release!: () => void;
    fake.answer('vm:info', () => new Promise((resolve) => (release = () => resolve(ok(info('alpha'))))));
    store.getState().selectVm('alpha');
    fake.answer('vm:info', (input: { name: string }) => ok(info(input.name)));
    store.getState().selectVm('zeta');
    await vi.advanceTimersByTimeAsync(0);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().info?.name).toBe('zeta');
  });

  it('loads the diff once when the Changes tab opens', async () => {
    store.getState().selectVm('alpha');
    store.getState().setDetailTab('changes');
    store.getState().setDetailTab('processes');
    store.getState().setDetailTab('changes');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls['vm:diff']).toHaveBeenCalledTimes(1);
  });
});

describe('connectEvents', () => {
  it('subscribes every channel before saying ready, then loads the list', () => {
    const order: string[] = [];
    fake.ready.mockImplementation(() => order.push(`ready after ${EVENT_CHANNELS.filter((c) => fake.listenerCount(c) > 0).length} channels`));
    fake.calls['vm:list'].mockImplementation(async () => {
      order.push('vm:list');
      return ok({ vms: [] });
    });
    connectEvents(fake.bridge, store);
    expect(order).toEqual([`ready after ${EVENT_CHANNELS.length} channels`, 'vm:list']);
  });

  it('the returned function unsubscribes everything', () => {
    const disconnect = connectEvents(fake.bridge, store);
    disconnect();
    for (const channel of EVENT_CHANNELS) expect(fake.listenerCount(channel)).toBe(0);
  });

  it('vm:state updates the list; deleted removes the VM', async () => {
    connectEvents(fake.bridge, store);
    await vi.advanceTimersByTimeAsync(0);
    fake.push('vm:state', { vm: 'alpha', state: 'running' });
    expect(store.getState().vms.find((v) => v.name === 'alpha')?.state).toBe('running');
    fake.push('vm:state', { vm: 'alpha', state: 'deleted' });
    expect(store.getState().vms.map((v) => v.name)).toEqual(['zeta']);
  });

  it('a VM the list does not know yet triggers a refresh', async () => {
    connectEvents(fake.bridge, store);
    await vi.advanceTimersByTimeAsync(0);
    fake.answer('vm:list', ok({ vms: [summary('alpha'), summary('new-one'), summary('zeta')] }));
    fake.push('vm:state', { vm: 'new-one', state: 'stopped' });
    await vi.advanceTimersByTimeAsync(150);
    expect(store.getState().vms.map((v) => v.name)).toEqual(['alpha', 'new-one', 'zeta']);
  });

  it('a lost connection is shown once, with its hint', () => {
    let lost!: (e: { code: 'INTERNAL'; message: string; hint: string }) => void;
    const bridge = { ...fake.bridge, onConnectionLost: (l: typeof lost) => ((lost = l), () => undefined) };
    connectEvents(bridge, store);
    lost({ code: 'INTERNAL', message: 'the connection to the FVM server closed', hint: 'reload' });
    expect(store.getState().connectionLost).toMatchObject({ message: 'the connection to the FVM server closed' });
  });

  it('an open-file request opens the create dialog for that file', () => {
    let open!: (p: { path: string }) => void;
    const bridge = { ...fake.bridge, onOpenFile: (l: typeof open) => ((open = l), () => undefined) };
    connectEvents(bridge, store);
    open({ path: '/home/u/setup.msi' });
    expect(store.getState().dialog).toEqual({ kind: 'create', installer: '/home/u/setup.msi' });
  });
});

describe('notices', () => {
  it('info notices go away by themselves, errors stay until dismissed', async () => {
    store.getState().reportInfo('Done', 'it worked');
    store.getState().reportError('Stop x', { code: 'VM_BUSY', message: 'busy', hint: 'wait' });
    await vi.advanceTimersByTimeAsync(10_000);
    const left = store.getState().notices;
    expect(left).toEqual([expect.objectContaining({ tone: 'error', code: 'VM_BUSY' })]);
    store.getState().dismissNotice(left[0].id);
    expect(store.getState().notices).toEqual([]);
  });
});

describe('export and import (memory stick)', () => {
  it('exports through vm:export and reports where the bundle went; errors come back as data', async () => {
    fake.answer('vm:export', ok({ name: 'alpha', file: '/media/stick/alpha.fvm', bytes: 2048, entries: 7, skipped: [] }));
    expect(await store.getState().exportVm('alpha', '/media/stick/alpha.fvm')).toBeNull();
    expect(fake.calls['vm:export']).toHaveBeenCalledWith({ name: 'alpha', file: '/media/stick/alpha.fvm' });
    expect(store.getState().notices.at(-1)?.message).toContain('/media/stick/alpha.fvm');
    fake.answer('vm:export', fail('VM_RUNNING'));
    expect((await store.getState().exportVm('alpha', '/x.fvm'))?.code).toBe('VM_RUNNING');
  });

  it('imports through vm:import, adds the new VM to the list and selects it', async () => {
    fake.answer('vm:import', ok({ vm: info('carried'), file: '/media/stick/c.fvm', source: { user: 'a', uid: 1000, home: '/home/a', hostname: 'box', kernel: '6', distribution: 'Debian', created: '2026-11-24T00:00:00Z' }, relocation: { from: '/home/a', to: '/home/b', paths: 3 } } as never));
    expect(await store.getState().importVm('/media/stick/c.fvm')).toBeNull();
    expect(fake.calls['vm:import']).toHaveBeenCalledWith({ file: '/media/stick/c.fvm' });
    expect(store.getState().vms.map((v) => v.name)).toContain('carried');
    expect(store.getState().selectedVm).toBe('carried');
    fake.answer('vm:import', fail('BUNDLE_CHECKSUM'));
    expect((await store.getState().importVm('/bad.fvm', 'named'))?.code).toBe('BUNDLE_CHECKSUM');
    expect(fake.calls['vm:import']).toHaveBeenLastCalledWith({ file: '/bad.fvm', name: 'named' });
  });
});

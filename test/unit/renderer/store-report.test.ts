import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VmInfo, VmReport } from '../../../src/shared/types.js';
import type { AppStore } from '../../../renderer/store/app-state.js';
import { CHANGES_BATCH_MS } from '../../../renderer/store/changes-slice.js';
import { connectEvents } from '../../../renderer/store/events.js';
import { REPORT_REFRESH_MS } from '../../../renderer/store/report-slice.js';
import { createAppStore } from '../../../renderer/store/store.js';
import { createFakeBridge, fail, ok } from '../../helpers/fake-bridge.js';
import type { FakeBridge } from '../../helpers/fake-bridge.js';

function info(name: string): VmInfo {
  return {
    name,
    id: name,
    state: 'running',
    sizeBytes: 0,
    created: '2026-11-24T08:00:00.000Z',
    processCount: 0,
    config: { network: 'none', rules: [], preset: 'default', hostname: null },
    path: `/fvm/${name}`,
    initPid: 4,
    commits: 0,
  };
}

function report(vm: string, flagCount = 1): VmReport {
  return {
    vm,
    state: 'running',
    generated: '2026-11-24T08:00:00.000Z',
    flags: Array.from({ length: flagCount }, () => ({
      id: 'autostart' as const,
      severity: 'high' as const,
      title: 'Autostart entry',
      explanation: 'Starts a program every time you log in to your desktop.',
      paths: [{ path: '/home/u/.config/autostart/evil.desktop', change: 'added' as const, detail: ['Exec=evil'] }],
      count: 1,
    })),
    summary: { changes: 1, added: 1, modified: 0, deleted: 0, bytesAdded: 9, bytesModified: 0, largest: [], topDirs: [], registryChanges: 0 },
    processes: [],
  };
}

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
  fake.answer('vm:report', (input: { name: string }) => ok(report(input.name)));
  store = createAppStore(fake.bridge);
  disconnect = connectEvents(fake.bridge, store);
  store.getState().selectVm('dev');
});

afterEach(() => {
  disconnect();
  store.setState(store.getInitialState(), true);
  vi.useRealTimers();
});

const state = () => store.getState().report;

describe('report', () => {
  it('is loaded when the Report tab opens, not before', async () => {
    expect(fake.calls['vm:report']).not.toHaveBeenCalled();
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls['vm:report']).toHaveBeenCalledWith({ name: 'dev' });
    expect(state()).toMatchObject({ vm: 'dev', status: 'ready', error: null, stale: false });
    expect(state().report?.flags.map((f) => f.id)).toEqual(['autostart']);
  });

  it('keeps the error with its hint', async () => {
    fake.answer('vm:report', fail('VM_NOT_FOUND', "no VM named 'dev'", 'List the VMs with `fvm list`.'));
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: 'error', error: { code: 'VM_NOT_FOUND', hint: 'List the VMs with `fvm list`.' }, report: null });
  });

  it('drops an answer for a VM that is no longer selected', async () => {
    let release!: () => void;
    fake.answer('vm:report', () => new Promise((resolve) => (release = () => resolve(ok(report('dev'))))));
    store.getState().setDetailTab('report');
    fake.answer('vm:report', () => new Promise(() => undefined));
    store.getState().selectVm('other');
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(state().vm).toBe('other');
    expect(state().report).toBeNull();
  });

  it('refreshes once, after a pause, when the VM changes while the tab shows', async () => {
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    fake.answer('vm:report', ok(report('dev', 3)));
    for (let i = 0; i < 5; i++) fake.push('fs:changed', { vm: 'dev', changes: [{ kind: 'added', path: `/tmp/f${i}`, type: 'file', size: 1 }] });
    await vi.advanceTimersByTimeAsync(CHANGES_BATCH_MS);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(REPORT_REFRESH_MS);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(2);
    expect(state().report?.flags).toHaveLength(3);
  });

  it('on another tab only marks the report stale, and loads it again when the tab opens', async () => {
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    store.getState().setDetailTab('changes');
    fake.push('process:exited', { vm: 'dev', pid: 12, status: 0 });
    await vi.advanceTimersByTimeAsync(REPORT_REFRESH_MS * 2);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(1);
    expect(state().stale).toBe(true);
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(2);
    expect(state().stale).toBe(false);
  });

  it('ignores changes of other VMs', async () => {
    store.getState().setDetailTab('report');
    await vi.advanceTimersByTimeAsync(0);
    fake.push('process:exited', { vm: 'elsewhere', pid: 12, status: 0 });
    fake.push('vm:state', { vm: 'elsewhere', state: 'stopped' });
    await vi.advanceTimersByTimeAsync(REPORT_REFRESH_MS * 2);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(1);
    expect(state().stale).toBe(false);
  });

  it('a refresh asked for while one loads runs after it', async () => {
    let release!: () => void;
    fake.answer('vm:report', () => new Promise((resolve) => (release = () => resolve(ok(report('dev'))))));
    store.getState().setDetailTab('report');
    store.getState().scheduleReport('dev');
    fake.answer('vm:report', ok(report('dev', 2)));
    release();
    await vi.advanceTimersByTimeAsync(REPORT_REFRESH_MS);
    expect(fake.calls['vm:report']).toHaveBeenCalledTimes(2);
    expect(state().report?.flags).toHaveLength(2);
  });
});

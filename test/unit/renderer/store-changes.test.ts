import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change, VmInfo } from '../../../src/shared/types.js';
import type { AppStore } from '../../../renderer/store/app-state.js';
import { CHANGES_BATCH_MS, REDIFF_DELAY_MS } from '../../../renderer/store/changes-slice.js';
import { connectEvents } from '../../../renderer/store/events.js';
import { createAppStore } from '../../../renderer/store/store.js';
import { createFakeBridge, fail, ok } from '../../helpers/fake-bridge.js';
import type { FakeBridge } from '../../helpers/fake-bridge.js';

const added = (path: string, size = 1): Change => ({ kind: 'added', path, type: 'file', size });
const modified = (path: string, size = 1): Change => ({ kind: 'modified', path, type: 'file', size });

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

let fake: FakeBridge;
let store: AppStore;

beforeEach(() => {
  vi.useFakeTimers();
  fake = createFakeBridge();
  fake.answer('vm:list', ok({ vms: [info('dev')] }));
  fake.answer('vm:info', (input: { name: string }) => ok(info(input.name)));
  fake.answer('vm:ps', ok({ processes: [] }));
  fake.answer('vm:diff', ok({ changes: [added('/home/u/a'), modified('/home/u/.bashrc')], registry: [] }));
  store = createAppStore(fake.bridge);
  store.getState().selectVm('dev');
});

afterEach(() => {
  store.setState(store.getInitialState(), true);
  vi.useRealTimers();
});

const rows = () => store.getState().changes.rows;
const paths = () => rows().map((r) => r.path);

describe('diff', () => {
  it('loads the diff of the selected VM', async () => {
    await store.getState().loadDiff();
    expect(fake.calls['vm:diff']).toHaveBeenCalledWith({ name: 'dev' });
    expect(store.getState().changes.status).toBe('ready');
    expect(rows()).toEqual([
      { kind: 'added', path: '/home/u/a', type: 'file', size: 1, live: false },
      { kind: 'modified', path: '/home/u/.bashrc', type: 'file', size: 1, live: false },
    ]);
  });

  it('keeps the error of a failed diff', async () => {
    fake.answer('vm:diff', fail('IO_ERROR', 'cannot read /fvm/dev/fs', 'Check permissions.'));
    await store.getState().loadDiff();
    expect(store.getState().changes).toMatchObject({ status: 'error', error: { code: 'IO_ERROR', hint: 'Check permissions.' } });
  });

  it('drops a diff answer for a VM that is no longer selected', async () => {
    let release!: () => void;
    fake.answer('vm:diff', () => new Promise((resolve) => (release = () => resolve(ok({ changes: [added('/old')], registry: [] })))));
    const pending = store.getState().loadDiff();
    store.getState().selectVm('other');
    release();
    await pending;
    expect(store.getState().changes.vm).toBe('other');
    expect(rows()).toEqual([]);
  });

  it('a re-diff marks what is new or different since the last look as live', async () => {
    await store.getState().loadDiff();
    fake.answer('vm:diff', ok({ changes: [added('/home/u/a'), modified('/home/u/.bashrc', 99), added('/home/u/new')], registry: [] }));
    await store.getState().loadDiff();
    expect(rows().map((r) => [r.path, r.live])).toEqual([
      ['/home/u/a', false],
      ['/home/u/.bashrc', true],
      ['/home/u/new', true],
    ]);
    expect(store.getState().changes.liveCount).toBe(2);
  });

  it('keeps checks on paths that are still changed after a re-diff', async () => {
    await store.getState().loadDiff();
    store.getState().setChecked(['/home/u/a', '/home/u/.bashrc'], true);
    fake.answer('vm:diff', ok({ changes: [added('/home/u/a')], registry: [] }));
    await store.getState().loadDiff();
    expect([...store.getState().changes.checked]).toEqual(['/home/u/a']);
  });
});

describe('live feed', () => {
  beforeEach(async () => {
    connectEvents(fake.bridge, store);
    await store.getState().loadDiff();
  });

  it('batches fs:changed events: nothing renders until the batch is due, then one update', async () => {
    const seen: number[] = [];
    const unsubscribe = store.subscribe((s) => seen.push(s.changes.rows.length));
    fake.push('fs:changed', { vm: 'dev', changes: [added('/tmp/1')] });
    fake.push('fs:changed', { vm: 'dev', changes: [added('/tmp/2'), added('/tmp/3')] });
    expect(paths()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(CHANGES_BATCH_MS);
    unsubscribe();
    expect(paths()).toEqual(['/home/u/a', '/home/u/.bashrc', '/tmp/1', '/tmp/2', '/tmp/3']);
    expect(seen.filter((n) => n === 5)).toHaveLength(1);
    expect(store.getState().changes.liveCount).toBe(3);
  });

  it('updates a path in place rather than adding it twice', () => {
    fake.push('fs:changed', { vm: 'dev', changes: [modified('/home/u/a', 50), { kind: 'deleted', path: '/home/u/.bashrc', type: 'file', size: 0 }] });
    store.getState().flushChanges();
    expect(rows()).toEqual([
      { kind: 'modified', path: '/home/u/a', type: 'file', size: 50, live: true },
      { kind: 'deleted', path: '/home/u/.bashrc', type: 'file', size: 0, live: true },
    ]);
  });

  it('ignores changes of other VMs', () => {
    fake.push('fs:changed', { vm: 'other', changes: [added('/tmp/x')] });
    store.getState().flushChanges();
    expect(paths()).toEqual(['/home/u/a', '/home/u/.bashrc']);
  });

  it('holds changes that arrive during a diff and applies them on top of it', async () => {
    let release!: () => void;
    fake.answer('vm:diff', () => new Promise((resolve) => (release = () => resolve(ok({ changes: [added('/home/u/a')], registry: [] })))));
    const pending = store.getState().loadDiff();
    fake.push('fs:changed', { vm: 'dev', changes: [added('/tmp/during')] });
    await vi.advanceTimersByTimeAsync(CHANGES_BATCH_MS);
    expect(store.getState().changes.status).toBe('loading');
    release();
    await pending;
    expect(paths()).toEqual(['/home/u/a', '/tmp/during']);
  });

  it('re-diffs after a program of the VM exits', async () => {
    fake.answer('vm:diff', ok({ changes: [added('/home/u/a'), modified('/home/u/.bashrc'), added('/home/u/written-by-script')], registry: [] }));
    fake.push('process:exited', { vm: 'dev', pid: 12, status: 0 });
    fake.push('process:exited', { vm: 'dev', pid: 13, status: 0 });
    await vi.advanceTimersByTimeAsync(REDIFF_DELAY_MS);
    expect(fake.calls['vm:diff']).toHaveBeenCalledTimes(2);
    expect(paths()).toContain('/home/u/written-by-script');
  });

  it('applies 100,000 live changes in one batch quickly', async () => {
    const many: Change[] = [];
    for (let i = 0; i < 100_000; i++) many.push(added(`/home/u/node_modules/p${i % 1000}/f${i}.js`));
    const started = performance.now();
    for (let i = 0; i < many.length; i += 1000) fake.push('fs:changed', { vm: 'dev', changes: many.slice(i, i + 1000) });
    store.getState().flushChanges();
    const elapsed = performance.now() - started;
    expect(rows()).toHaveLength(100_002);
    expect(elapsed).toBeLessThan(1000);
    // And updating one of them later costs one array copy, not a search.
    const again = performance.now();
    fake.push('fs:changed', { vm: 'dev', changes: [modified('/home/u/node_modules/p5/f99005.js', 7)] });
    store.getState().flushChanges();
    expect(performance.now() - again).toBeLessThan(200);
    expect(rows()[99_007]).toMatchObject({ kind: 'modified', size: 7 });
  });
});

describe('checks and commit', () => {
  beforeEach(async () => {
    await store.getState().loadDiff();
  });

  it('toggles and sets checks', () => {
    store.getState().toggleChecked('/home/u/a');
    expect([...store.getState().changes.checked]).toEqual(['/home/u/a']);
    store.getState().toggleChecked('/home/u/a');
    expect(store.getState().changes.checked.size).toBe(0);
    store.getState().setChecked(['/home/u/a', '/home/u/.bashrc'], true);
    store.getState().setChecked(['/home/u/a'], false);
    expect([...store.getState().changes.checked]).toEqual(['/home/u/.bashrc']);
    store.getState().clearChecked();
    expect(store.getState().changes.checked.size).toBe(0);
  });

  it('commits only the checked paths, then clears the checks and diffs again', async () => {
    fake.answer('vm:commit', ok({ commit: 1, dryRun: false, applied: [added('/home/u/a')], registry: [] }));
    store.getState().toggleChecked('/home/u/a');
    const error = await store.getState().commitChecked({ force: false, stopFirst: false });
    expect(error).toBeNull();
    expect(fake.calls['vm:commit']).toHaveBeenCalledWith({ name: 'dev', paths: ['/home/u/a'], force: false });
    expect(fake.calls['vm:stop']).not.toHaveBeenCalled();
    expect(store.getState().changes.checked.size).toBe(0);
    expect(fake.calls['vm:diff']).toHaveBeenCalledTimes(2);
    expect(store.getState().notices[0]).toMatchObject({ tone: 'info', title: 'Committed to the host' });
  });

  it('stops the VM first when asked', async () => {
    fake.answer('vm:stop', ok(info('dev')));
    fake.answer('vm:commit', ok({ commit: 2, dryRun: false, applied: [], registry: [] }));
    store.getState().toggleChecked('/home/u/a');
    await store.getState().commitChecked({ force: true, stopFirst: true });
    expect(fake.calls['vm:stop'].mock.invocationCallOrder[0]).toBeLessThan(fake.calls['vm:commit'].mock.invocationCallOrder[0]);
    expect(fake.calls['vm:commit']).toHaveBeenCalledWith({ name: 'dev', paths: ['/home/u/a'], force: true });
  });

  it('returns the commit error to the dialog and keeps the checks', async () => {
    fake.answer('vm:commit', fail('COMMIT_CONFLICT', '/home/u/a changed on the host', 'Commit with force to overwrite it.'));
    store.getState().toggleChecked('/home/u/a');
    const error = await store.getState().commitChecked({ force: false, stopFirst: false });
    expect(error).toEqual({ code: 'COMMIT_CONFLICT', message: '/home/u/a changed on the host', hint: 'Commit with force to overwrite it.' });
    expect(store.getState().changes.checked.size).toBe(1);
    expect(store.getState().busy).toEqual({});
  });

  it('refuses to commit nothing (an empty list must never mean "everything")', async () => {
    const error = await store.getState().commitChecked({ force: false, stopFirst: false });
    expect(error?.code).toBe('USAGE');
    expect(fake.calls['vm:commit']).not.toHaveBeenCalled();
  });
});

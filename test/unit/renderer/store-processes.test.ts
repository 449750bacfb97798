import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessInfo, VmSummary } from '../../../src/shared/types.js';
import type { AppStore } from '../../../renderer/store/app-state.js';
import { connectEvents } from '../../../renderer/store/events.js';
import { createAppStore } from '../../../renderer/store/store.js';
import { createFakeBridge, ok } from '../../helpers/fake-bridge.js';
import type { FakeBridge } from '../../helpers/fake-bridge.js';

const vmSummary: VmSummary = { name: 'dev', id: 'dev', state: 'running', sizeBytes: 0, created: '2026-11-24T08:00:00.000Z', processCount: 1 };
const proc = (pid: number, ppid: number, cmd: string, vm = 'dev'): ProcessInfo => ({ vm, pid, ppid, vmPid: pid - 100, cmd, state: 'S' });

let fake: FakeBridge;
let store: AppStore;

beforeEach(async () => {
  vi.useFakeTimers();
  fake = createFakeBridge();
  fake.answer('vm:list', ok({ vms: [vmSummary] }));
  fake.answer('vm:ps', ok({ processes: [proc(101, 1, 'fvm-init'), proc(102, 101, 'sh')] }));
  store = createAppStore(fake.bridge);
  connectEvents(fake.bridge, store);
  await vi.advanceTimersByTimeAsync(0);
});

afterEach(() => {
  store.setState(store.getInitialState(), true);
  vi.useRealTimers();
});

describe('processes', () => {
  it('loads the processes of one VM', async () => {
    await store.getState().refreshProcesses('dev');
    expect(fake.calls['vm:ps']).toHaveBeenCalledWith({ name: 'dev' });
    expect(store.getState().processes.dev.map((p) => [p.pid, p.provisional])).toEqual([
      [101, false],
      [102, false],
    ]);
  });

  it('shows a started process at once, then asks vm:ps for its parent (once per burst)', async () => {
    fake.push('process:started', { vm: 'dev', pid: 103, cmd: 'make', runId: 'r1' });
    fake.push('process:started', { vm: 'dev', pid: 104, cmd: 'cc', runId: 'r1' });
    expect(store.getState().processes.dev.map((p) => [p.pid, p.provisional])).toEqual([
      [103, true],
      [104, true],
    ]);
    expect(store.getState().vms[0].processCount).toBe(3);
    fake.answer('vm:ps', ok({ processes: [proc(101, 1, 'fvm-init'), proc(103, 101, 'make'), proc(104, 103, 'cc')] }));
    await vi.advanceTimersByTimeAsync(250);
    expect(fake.calls['vm:ps']).toHaveBeenCalledTimes(1);
    expect(store.getState().processes.dev.find((p) => p.pid === 104)).toMatchObject({ ppid: 103, provisional: false });
  });

  it('moves an exited process to the recent exits with its status', async () => {
    await store.getState().refreshProcesses('dev');
    fake.push('process:exited', { vm: 'dev', pid: 102, status: 3 });
    expect(store.getState().processes.dev.map((p) => p.pid)).toEqual([101]);
    expect(store.getState().exited.dev).toEqual([expect.objectContaining({ pid: 102, cmd: 'sh', status: 3 })]);
    expect(store.getState().vms[0].processCount).toBe(0);
  });

  it('forgets the processes of a VM that stopped', async () => {
    await store.getState().refreshProcesses('dev');
    fake.push('vm:state', { vm: 'dev', state: 'stopped' });
    expect(store.getState().processes.dev).toBeUndefined();
    expect(store.getState().vms[0]).toMatchObject({ state: 'stopped', processCount: 0 });
  });
});

describe('output', () => {
  it('buffers output and applies it in one update per batch', async () => {
    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    for (let i = 0; i < 50; i++) fake.push('process:output', { vm: 'dev', runId: 'r1', stream: i % 2 ? 'stderr' : 'stdout', data: `line ${i}\n` });
    expect(store.getState().output.dev).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    unsubscribe();
    expect(updates).toBe(1);
    expect(store.getState().output.dev).toHaveLength(50);
    expect(store.getState().output.dev[1]).toMatchObject({ stream: 'stderr', data: 'line 1\n' });
  });

  it('keeps only the most recent output of a chatty program', () => {
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 10; i++) fake.push('process:output', { vm: 'dev', runId: 'r1', stream: 'stdout', data: big });
    store.getState().flushOutput();
    const kept = store.getState().output.dev;
    expect(kept.reduce((n, c) => n + c.data.length, 0)).toBeLessThanOrEqual(256 * 1024);
    expect(kept.at(-1)?.seq).toBe(10);
  });

  it('clears the output of one VM', () => {
    fake.push('process:output', { vm: 'dev', runId: 'r1', stream: 'stdout', data: 'hi' });
    store.getState().flushOutput();
    store.getState().clearOutput('dev');
    expect(store.getState().output.dev).toBeUndefined();
  });
});

describe('the engine process watcher', () => {
  it('places a watched process under its parent at once', () => {
    fake.push('process:started', { vm: 'dev', pid: 150, ppid: 101, cmd: 'sleep 5' });
    expect(store.getState().processes.dev[0]).toMatchObject({ pid: 150, ppid: 101, provisional: true });
  });

  it('names an exited run by the command it started with', () => {
    fake.push('process:started', { vm: 'dev', pid: 9202, cmd: '/bin/sh -c make', runId: 'r7' });
    store.getState().clearProcesses('dev');
    fake.push('process:exited', { vm: 'dev', pid: 9202, status: 2, runId: 'r7' });
    expect(store.getState().exited.dev[0]).toMatchObject({ pid: 9202, cmd: '/bin/sh -c make', status: 2 });
  });
});
